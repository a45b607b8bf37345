// Small Kysely functions over refunds and the partner API's nonces; `db` first (a transaction works too).
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { Refund, RefundTable } from './refund.table.ts';

/** Records a refund once per (partner, partner_refund_no); false when that number is already taken. */
export function insertRefund(db: Db, refund: Insertable<RefundTable>): Promise<boolean> {
  return insertOnce(db, 'refunds', refund);
}

export function findRefund(db: Db, refundNo: string): Promise<Refund | undefined> {
  return db.selectFrom('refunds').selectAll().where('refund_no', '=', refundNo).executeTakeFirst();
}

/** `lock` (MySQL): a locking read, which sees the latest committed row even inside a repeatable-read snapshot. */
export function findPartnerRefund(db: Db, partnerId: string, partnerRefundNo: string, lock = false): Promise<Refund | undefined> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('partner_refund_no', '=', partnerRefundNo)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

export function refundsOfOrder(db: Db, orderNo: string): Promise<Refund[]> {
  return db.selectFrom('refunds').selectAll().where('order_no', '=', orderNo).orderBy('created_at').orderBy('refund_no').execute();
}

export function refundOfAttempt(db: Db, attemptId: string): Promise<Refund | undefined> {
  return db.selectFrom('refunds').selectAll().where('attempt_id', '=', attemptId).where('kind', '=', 'extra_attempt').executeTakeFirst();
}

/** Changes a refund only while it is in one of `from` (and, when given, its task in `task`): one caller wins. */
export async function updateRefund(
  db: Db,
  refundNo: string,
  from: Refund['status'][],
  set: Updateable<RefundTable>,
  task?: Refund['task_status'],
): Promise<boolean> {
  const res = await db
    .updateTable('refunds')
    .set(set)
    .where('refund_no', '=', refundNo)
    .where('status', 'in', from)
    .$if(task !== undefined, (q) => q.where('task_status', '=', task!))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Unfinished refunds due for work (provider status, retries, crash recovery), not waiting as a manual task. */
export function dueRefunds(db: Db, now: number, limit: number): Promise<Refund[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', 'in', ['requested', 'submitted'])
    .where('task_status', '!=', 'open')
    .where('next_poll_at', '<=', now)
    .orderBy('next_poll_at')
    .limit(limit)
    .execute();
}

/** Claims a due refund for `leaseMs` by a conditional update on the `next_poll_at` it was read with. */
export async function claimRefund(db: Db, refund: Refund, until: number): Promise<boolean> {
  const res = await db
    .updateTable('refunds')
    .set({ next_poll_at: until })
    .where('refund_no', '=', refund.refund_no)
    .where('next_poll_at', '=', refund.next_poll_at)
    .where('status', 'in', ['requested', 'submitted'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Remembers a partner API nonce until it expires; false when it was already used (a replay). */
export async function useNonce(db: Db, partnerId: string, nonce: string, now: number, ttlMs: number): Promise<boolean> {
  await db.deleteFrom('partner_nonces').where('expires_at', '<', now).execute();
  return insertOnce(db, 'partner_nonces', { partner_id: partnerId, nonce, expires_at: now + ttlMs });
}
