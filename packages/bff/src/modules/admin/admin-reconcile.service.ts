// The console's 对账 page: stored runs (list, one with its differences grouped by check) and 立即对账 — a run of a
// chosen window claimed in the audit transaction (ZF0300 while another run holds the slot), carried out after the
// commit in this instance while the page polls the run's state and progress.
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { payzeroLookup } from '../reconcile/reconcile.job.ts';
import { differencesOf, findRun, listRuns } from '../reconcile/reconcile-runs.repository.ts';
import { executeRun, startRun } from '../reconcile/reconcile-runs.service.ts';
import type { ReconcileRun } from '../reconcile/reconcile.table.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { auditedMutation } from './audit.ts';

const DAY = 86_400_000;
/** The longest window the console may ask for (`pnpm reconcile --since` has no limit). */
export const MAX_WINDOW_MS = 31 * DAY;
/** Differences shown per check (the group's count is always exact). */
const PER_GROUP = 100;

export function runView(r: ReconcileRun, now: number) {
  const stalled = r.state === 'running' && r.lease_until !== null && Number(r.lease_until) < now;
  return {
    id: r.id,
    since: Number(r.since),
    until: Number(r.until),
    ran_by: r.ran_by,
    state: stalled ? ('interrupted' as const) : r.state,
    started_at: Number(r.started_at),
    finished_at: r.finished_at === null ? null : Number(r.finished_at),
    orders: Number(r.orders),
    orders_done: Number(r.orders_done),
    insurers: Number(r.insurers),
    provider_checks: Number(r.provider_checks),
    differences: Number(r.difference_count),
    error: r.error,
  };
}

export async function reconcileRuns(deps: Deps, limit: number, offset: number) {
  const { rows, total } = await listRuns(deps.db, limit, offset);
  const now = deps.clock.now();
  return { rows: rows.map((r) => runView(r, now)), total };
}

/** One run with its stored differences grouped by check, in the order the checks first appear. */
export async function reconcileRun(deps: Deps, id: string) {
  const run = (await findRun(deps.db, id)) ?? fail('ZF0263', 'reconcile run');
  const groups = new Map<
    string,
    { check: string; count: number; items: Array<{ order_no: string | null; ic_code: string | null; detail: string }> }
  >();
  for (const d of await differencesOf(deps.db, id, 5_000)) {
    const g = groups.get(d.check_name) ?? { check: d.check_name, count: 0, items: [] };
    g.count++;
    if (g.items.length < PER_GROUP) g.items.push({ order_no: d.order_no, ic_code: d.ic_code, detail: d.detail });
    groups.set(d.check_name, g);
  }
  return { run: runView(run, deps.clock.now()), groups: [...groups.values()] };
}

/** 立即对账 (operator, finance): ZF0301 for a window that is empty, longer than 31 days or ends in the future. */
export async function reconcileNow(deps: Deps, actor: AdminActor, window: { since: number; until: number }) {
  const now = deps.clock.now();
  if (window.since >= window.until || window.until - window.since > MAX_WINDOW_MS || window.until > now + 60_000)
    fail('ZF0301', `window ${window.since}..${window.until}`);
  const id = newId('RC', now, deps.random);
  const run = await auditedMutation(deps, actor, 'reconcile.run', id, async (trx) => {
    const claimed = (await startRun(deps, { ...window, ranBy: `admin:${actor.username}` }, { db: trx, id })) ?? fail('ZF0300');
    return { before: null, after: { since: window.since, until: window.until }, result: claimed };
  });
  if (!run) return fail('ZF0130', 'reconcile run not recorded');
  // After the commit: the page polls GET /admin/reconcile/runs/:id. A failure is stored on the run (state failed).
  void executeRun(deps, run, payzeroLookup(deps)).catch(() => undefined);
  return { run: runView(run, now) };
}
