// The stored runs: claimed by an insert holding the unique `active` slot, kept alive by leased checkpoints (progress,
// the last order checked and the differences found since), finished with the last of them in one transaction. Every
// write is conditional on the run still holding the slot under the writer's claim token; a run whose lease ran out is
// claimed (a new token) by another instance, which continues after its last checkpoint.
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { ReconcileDifferenceTable, ReconcileRun } from './reconcile.table.ts';

const SLOT = 'run';

/** Marks runs whose lease ran out (their instance died) as failed, freeing the slot. Returns how many. */
export async function expireDeadRuns(db: Db, now: number): Promise<number> {
  const res = await db
    .updateTable('reconcile_runs')
    .set({ state: 'failed', active: null, lease_until: null, finished_at: now, error: 'interrupted: its instance stopped' })
    .where('active', '=', SLOT)
    .where('lease_until', '<', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Claims the one running slot with a new run; false when another run holds it. */
export function claimRun(
  db: Db,
  run: Pick<ReconcileRun, 'id' | 'since' | 'until' | 'ran_by' | 'started_at' | 'lease_until' | 'claim_token'>,
) {
  const counts = { orders: 0, orders_done: 0, insurers: 0, provider_checks: 0, difference_count: 0, resumes: 0 };
  const rest = { state: 'running', active: SLOT, finished_at: null, error: null, cursor_at: null, cursor_no: null } as const;
  return insertOnce(db, 'reconcile_runs', { ...run, ...counts, ...rest });
}

/**
 * Claims a running run whose lease ran out (its instance stopped) under a new token, at most `maxResumes` times;
 * the run claimed, or undefined when there is none.
 */
export async function claimDeadRun(db: Db, now: number, token: string, leaseUntil: number, maxResumes: number) {
  const res = await db
    .updateTable('reconcile_runs')
    .set((eb) => ({ claim_token: token, lease_until: leaseUntil, resumes: eb('resumes', '+', 1) }))
    .where('active', '=', SLOT)
    .where('lease_until', '<', now)
    .where('resumes', '<', maxResumes)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return undefined;
  return db.selectFrom('reconcile_runs').selectAll().where('claim_token', '=', token).where('active', '=', SLOT).executeTakeFirst();
}

export type RunWrite = Partial<
  Pick<
    ReconcileRun,
    | 'orders'
    | 'orders_done'
    | 'insurers'
    | 'provider_checks'
    | 'difference_count'
    | 'cursor_at'
    | 'cursor_no'
    | 'lease_until'
    | 'state'
    | 'finished_at'
    | 'error'
    | 'active'
  >
>;

/** Writes a running run (a checkpoint with a new lease), only while it holds the slot under `token`. */
export async function updateRun(db: Db, id: string, token: string | null, set: RunWrite): Promise<boolean> {
  const res = await db
    .updateTable('reconcile_runs')
    .set(set)
    .where('id', '=', id)
    .where('active', '=', SLOT)
    .$if(token !== null, (q) => q.where('claim_token', '=', token!))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Ends a run (done or failed), freeing the slot, only while it holds it under `token`. */
export function finishRun(
  db: Db,
  id: string,
  token: string | null,
  set: Pick<ReconcileRun, 'state' | 'finished_at' | 'error'> & RunWrite,
): Promise<boolean> {
  return updateRun(db, id, token, { ...set, active: null, lease_until: null });
}

export async function insertDifferences(db: Db, rows: ReconcileDifferenceTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('reconcile_differences')
      .values(rows.slice(i, i + 200))
      .execute();
}

export function findRun(db: Db, id: string): Promise<ReconcileRun | undefined> {
  return db.selectFrom('reconcile_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRuns(db: Db, limit: number, offset: number): Promise<{ rows: ReconcileRun[]; total: number }> {
  const rows = await db
    .selectFrom('reconcile_runs')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const { n } = await db
    .selectFrom('reconcile_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

export function differencesOf(db: Db, runId: string, limit: number) {
  return db.selectFrom('reconcile_differences').selectAll().where('run_id', '=', runId).orderBy('seq').limit(limit).execute();
}

/** A run by `ranBy` started at or after `from` that is running or done (the daily job's once-a-day rule). */
export function runBySince(db: Db, ranBy: string, from: number) {
  return db
    .selectFrom('reconcile_runs')
    .select(['id', 'state'])
    .where('ran_by', '=', ranBy)
    .where('started_at', '>=', from)
    .where('state', '!=', 'failed')
    .executeTakeFirst();
}
