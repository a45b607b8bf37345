// Small Kysely functions over alerts and manual clearing tasks; `db` first (a transaction works too).
import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { AlertTable, ClearingTaskTable } from './alert.table.ts';

/** Records an alert once per dedupe key; false when it already existed. */
export function insertAlert(db: Db, alert: Insertable<AlertTable>): Promise<boolean> {
  return insertOnce(db, 'alerts', alert);
}

/** Records a clearing task once per order; false when it already existed. */
export function insertClearingTask(db: Db, task: Insertable<ClearingTaskTable>): Promise<boolean> {
  return insertOnce(db, 'clearing_tasks', task);
}

/** Marks the alert of `dedupeKey` as answered by a refund (the admin console shows it beside the alert). */
export async function linkAlertToRefund(db: Db, dedupeKey: string, refundNo: string): Promise<void> {
  await db.updateTable('alerts').set({ refund_no: refundNo }).where('dedupe_key', '=', dedupeKey).execute();
}
