// Stored reconciliation runs: the daily job, `pnpm reconcile` and the console's 立即对账 each claim the one running
// slot (a conditional insert on a unique column — several instances share the database; never SKIP LOCKED), report
// progress with a leased heartbeat, and store the summary with its differences when done. A run whose instance died
// keeps the slot only until its lease runs out; the next claim marks it failed.
import { inTransaction, type Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { newId } from '../../lib/ids.ts';
import * as runs from './reconcile-runs.repository.ts';
import type { ReconcileRun } from './reconcile.table.ts';
import { reconcile, type CardLookup, type ReconcileReport } from './reconcile.service.ts';

/** A running run's lease, renewed at every progress report (every 20 orders). */
export const RUN_LEASE_MS = 5 * 60_000;
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
    since: req.since,
    until: req.until,
    ran_by: req.ranBy.slice(0, 80),
    started_at: now,
    lease_until: now + RUN_LEASE_MS,
  });
  return claimed ? ((await runs.findRun(db, id)) ?? null) : null;
}

/** Runs a claimed run to its end: done with its differences stored, or failed with the error's name. */
export async function executeRun(deps: Deps, run: ReconcileRun, cardLookup?: CardLookup): Promise<ReconcileReport> {
  try {
    const report = await reconcile(deps, {
      since: Number(run.since),
      until: Number(run.until),
      cardLookup,
      onProgress: async (done, total) => {
        if (!(await runs.heartbeat(deps.db, run.id, done, total, deps.clock.now() + RUN_LEASE_MS))) throw new RunLost('lease lost');
      },
    });
    await inTransaction(deps.db, async (trx) => {
      const finished = await runs.finishRun(trx, run.id, {
        state: 'done',
        finished_at: deps.clock.now(),
        orders: report.orders,
        orders_done: report.orders,
        insurers: report.insurers,
        provider_checks: report.providerChecks,
        difference_count: report.differences.length,
        error: null,
      });
      if (!finished) throw new RunLost('lease lost');
      await runs.insertDifferences(
        trx,
        report.differences.slice(0, MAX_STORED_DIFFERENCES).map((d, seq) => ({
          run_id: run.id,
          seq,
          check_name: d.check,
          order_no: d.orderNo ?? null,
          ic_code: d.icCode ?? null,
          detail: d.detail.slice(0, 4000),
        })),
      );
    });
    return report;
  } catch (err) {
    deps.logger.error({ err, run: run.id }, 'reconciliation run failed');
    const failed = { state: 'failed' as const, finished_at: deps.clock.now(), error: (err as Error).name.slice(0, 255) };
    await runs.finishRun(deps.db, run.id, failed).catch(() => undefined);
    throw err;
  }
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
