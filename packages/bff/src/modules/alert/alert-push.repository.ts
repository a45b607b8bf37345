// The durable queue of alert pushes to the admin robot webhook: one row per alert, claimed with a lease; `db` first.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import { dueOrLeaseLapsed } from '../../db/lease.ts';
import type { AlertPushTable } from './alert.table.ts';

export type AlertPushRow = Selectable<AlertPushTable>;

/** Queues the push of an alert, once per alert (the unique alert_id). */
export function insertPush(db: Db, p: { id: string; alertId: string; payload: string; now: number }): Promise<boolean> {
  return insertOnce(db, 'alert_pushes', {
    id: p.id,
    alert_id: p.alertId,
    payload: p.payload,
    status: 'pending',
    attempts: 0,
    next_attempt_at: p.now,
    lease_until: null,
    last_error: null,
    delivered_at: null,
    created_at: p.now,
  });
}

/** Pushes due now (pending and due, or sending with a lapsed lease), oldest first. */
export function duePushes(db: Db, now: number, limit: number): Promise<AlertPushRow[]> {
  return db.selectFrom('alert_pushes').selectAll().where(dueOrLeaseLapsed(now)).orderBy('created_at').limit(limit).execute();
}

/** Claims a push by a conditional update on the state it was read in (several instances may run the job). */
export async function claimPush(db: Db, p: AlertPushRow, leaseUntil: number): Promise<boolean> {
  const res = await db
    .updateTable('alert_pushes')
    .set({ status: 'sending', lease_until: leaseUntil })
    .where('id', '=', p.id)
    .where('status', '=', p.status)
    .where((eb) => (p.lease_until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', p.lease_until)))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function recordPush(
  db: Db,
  id: string,
  attempts: number,
  outcome:
    { status: 'delivered'; at: number } | { status: 'dead'; error: string } | { status: 'pending'; error: string; nextAttemptAt: number },
): Promise<void> {
  const base = { attempts, lease_until: null };
  const set =
    outcome.status === 'delivered'
      ? { ...base, status: 'delivered' as const, delivered_at: outcome.at, last_error: null }
      : outcome.status === 'dead'
        ? { ...base, status: 'dead' as const, last_error: outcome.error.slice(0, 255) }
        : { ...base, status: 'pending' as const, last_error: outcome.error.slice(0, 255), next_attempt_at: outcome.nextAttemptAt };
  await db.updateTable('alert_pushes').set(set).where('id', '=', id).execute();
}
