// Stored reconciliation runs: the daily job, `pnpm reconcile` and the console's 立即对账 each claim the one running
// slot (a conditional insert on a unique column — several instances share the database; never SKIP LOCKED) and
// store a checkpoint every 20 orders (progress, the last order checked, the differences found since, a new lease).
// A run whose instance died keeps the slot until its lease runs out; then the `resume-reconcile` job of any instance
// claims it under a new token (a conditional UPDATE) and continues after its last checkpoint: the stored run ends as
// an uninterrupted one would (each order checked once, its differences stored once). A new run asked for meanwhile
// marks it failed instead (the console shows it 已中断), and so does one that has been resumed MAX_RESUMES times.
import { inTransaction, type Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { newId } from '../../lib/ids.ts';
import * as runs from './reconcile-runs.repository.ts';
import type { RunWrite } from './reconcile-runs.repository.ts';
import type { ReconcileRun } from './reconcile.table.ts';
import { reconcile, type CardLookup, type Checkpoint, type ReconcileReport } from './reconcile.service.ts';

/** A running run's lease, renewed at every checkpoint (every 20 orders). */
export const RUN_LEASE_MS = 5 * 60_000;
/** A run is resumed this many times at most (a run that keeps killing its instance is left failed). */
export const MAX_RESUMES = 3;
/** Differences kept per run (the count is always exact). */
export const MAX_STORED_DIFFERENCES = 5_000;

export interface RunRequest {
  since: number;
  until: number;
  /** `job`, `cli`, `admin:<username>`. */
  ranBy: string;
}

class RunLost extends Error {
  override name = 'RunLost';
}

/**
 * Claims the running slot for a new run (in `opts.db`, e.g. the console's audit transaction; under `opts.id` when the
 * caller drew it); null while another run holds it.
 */
export async function startRun(deps: Deps, req: RunRequest, opts: { db?: Db; id?: string } = {}): Promise<ReconcileRun | null> {
  const now = deps.clock.now();
  const db = opts.db ?? deps.db;
  await runs.expireDeadRuns(db, now);
  const id = opts.id ?? newId('RC', now, deps.random);
  const claimed = await runs.claimRun(db, {
    id,
    claim_token: newId('RK', now, deps.random),
    since: req.since,
    until: req.until,
    ran_by: req.ranBy.slice(0, 80),
    started_at: now,
    lease_until: now + RUN_LEASE_MS,
  });
  return claimed ? ((await runs.findRun(db, id)) ?? null) : null;
}

/**
 * Runs a claimed run to its end, from its last checkpoint: done with its differences stored, or failed with the error's
 * name. The report holds what this call found (all of it unless the run was resumed).
 */
export async function executeRun(deps: Deps, run: ReconcileRun, cardLookup?: CardLookup): Promise<ReconcileReport> {
  const token = run.claim_token;
  const stored = { differences: Number(run.difference_count), providerChecks: Number(run.provider_checks) };
  const save = async (trx: Db, done: number, total: number, cp: Checkpoint, end: RunWrite): Promise<void> => {
    const saved = await runs.updateRun(trx, run.id, token, {
      orders_done: done,
      orders: total,
      cursor_at: cp.cursor?.createdAt ?? null,
      cursor_no: cp.cursor?.orderNo ?? null,
      difference_count: stored.differences + cp.differences.length,
      provider_checks: stored.providerChecks + cp.providerChecks,
      lease_until: deps.clock.now() + RUN_LEASE_MS,
      ...end,
    });
    if (!saved) throw new RunLost('lease lost');
    const keep = cp.differences.slice(0, Math.max(0, MAX_STORED_DIFFERENCES - stored.differences));
    await runs.insertDifferences(
      trx,
      keep.map((d, i) => ({
        run_id: run.id,
        seq: stored.differences + i,
        check_name: d.check,
        order_no: d.orderNo ?? null,
        ic_code: d.icCode ?? null,
        detail: d.detail.slice(0, 4000),
      })),
    );
    stored.differences += cp.differences.length;
    stored.providerChecks += cp.providerChecks;
  };
  try {
    const report = await reconcile(deps, {
      since: Number(run.since),
      until: Number(run.until),
      after: run.cursor_no !== null ? { createdAt: Number(run.cursor_at), orderNo: run.cursor_no } : undefined,
      doneBefore: Number(run.orders_done),
      cardLookup,
      // Every 20 orders a checkpoint; the last (the books checked too) ends the run in the same transaction.
      onProgress: (done, total, cp) =>
        done < total
          ? inTransaction(deps.db, (trx) => save(trx, done, total, cp, {}))
          : inTransaction(deps.db, async (trx) => {
              await save(trx, done, total, cp, { insurers: cp.insurers ?? 0 });
              if (!(await runs.finishRun(trx, run.id, token, { state: 'done', finished_at: deps.clock.now(), error: null })))
                throw new RunLost('lease lost');
            }),
    });
    return report;
  } catch (err) {
    deps.logger.error({ err, run: run.id }, 'reconciliation run failed');
    const failed = { state: 'failed' as const, finished_at: deps.clock.now(), error: (err as Error).name.slice(0, 255) };
    await runs.finishRun(deps.db, run.id, token, failed).catch(() => undefined);
    throw err;
  }
}

/** The `resume-reconcile` job: claims a run whose instance stopped and finishes it here; null when there is none. */
export async function resumeRun(deps: Deps, cardLookup?: CardLookup): Promise<{ run: ReconcileRun; report: ReconcileReport } | null> {
  const now = deps.clock.now();
  const run = await runs.claimDeadRun(deps.db, now, newId('RK', now, deps.random), now + RUN_LEASE_MS, MAX_RESUMES);
  if (!run) return null;
  return { run, report: await executeRun(deps, run, cardLookup) };
}

/** Claims, runs and stores one run (the job, the CLI); null when another run holds the slot. */
export async function recordedReconcile(
  deps: Deps,
  req: RunRequest,
  cardLookup?: CardLookup,
): Promise<{ run: ReconcileRun; report: ReconcileReport } | null> {
  const run = await startRun(deps, req);
  if (!run) return null;
  return { run, report: await executeRun(deps, run, cardLookup) };
}
