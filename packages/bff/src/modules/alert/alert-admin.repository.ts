// The console's view of alerts and manual clearing tasks: lists, handling (acknowledge, resolve, complete); `db` first.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { AlertTable, ClearingTaskTable } from './alert.table.ts';

export type AlertRow = Selectable<AlertTable>;
export type ClearingTaskRow = Selectable<ClearingTaskTable>;

export interface AlertFilter {
  kind?: string;
  status?: 'open' | 'acknowledged' | 'resolved' | 'unresolved';
  orderNo?: string;
}

export async function listAlerts(db: Db, f: AlertFilter, limit: number, offset: number): Promise<{ rows: AlertRow[]; total: number }> {
  let q = db.selectFrom('alerts');
  if (f.kind) q = q.where('kind', '=', f.kind as AlertRow['kind']);
  if (f.status === 'unresolved') q = q.where('status', 'in', ['open', 'acknowledged']);
  else if (f.status) q = q.where('status', '=', f.status);
  if (f.orderNo) q = q.where('order_no', '=', f.orderNo);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}

export function findAlert(db: Db, id: string): Promise<AlertRow | undefined> {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function alertsOfOrder(db: Db, orderNo: string): Promise<AlertRow[]> {
  return db.selectFrom('alerts').selectAll().where('order_no', '=', orderNo).orderBy('created_at').execute();
}

/** open → acknowledged, once. */
export async function acknowledgeAlert(db: Db, id: string, by: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('alerts')
    .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: by })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** open/acknowledged → resolved with a note, once. */
export async function resolveAlert(db: Db, id: string, by: string, note: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('alerts')
    .set({ status: 'resolved', resolved_at: now, resolved_by: by, resolution_note: note.slice(0, 500) })
    .where('id', '=', id)
    .where('status', 'in', ['open', 'acknowledged'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Unresolved alerts per kind. */
export async function unresolvedAlertCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('alerts')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['open', 'acknowledged'])
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

export async function listClearingTasks(
  db: Db,
  status: 'open' | 'done' | undefined,
  limit: number,
  offset: number,
): Promise<{ rows: ClearingTaskRow[]; total: number }> {
  let q = db.selectFrom('clearing_tasks');
  if (status) q = q.where('status', '=', status);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('due_at').orderBy('id').limit(limit).offset(offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}

export function findClearingTask(db: Db, id: string): Promise<ClearingTaskRow | undefined> {
  return db.selectFrom('clearing_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export function clearingTasksOfOrder(db: Db, orderNo: string): Promise<ClearingTaskRow[]> {
  return db.selectFrom('clearing_tasks').selectAll().where('order_no', '=', orderNo).execute();
}

/** open → done, once (the loser of two concurrent completions gets false). */
export async function markClearingTaskDone(db: Db, id: string, by: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('clearing_tasks')
    .set({ status: 'done', done_at: now, done_by: by })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function overdueTaskCount(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('clearing_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'open')
    .where('due_at', '<', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
