// Small Kysely functions over orders; `db` first (a transaction works too).
import { sql } from 'kysely';
import { compiled } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';
import type { Order, OrderTable, SettlementStep } from './order.table.ts';

// Read or written by every payment: compiled once per dialect (db/compiled-query.ts).
const orderByNo = compiled((db, p: { orderNo: string }) => db.selectFrom('orders').selectAll().where('order_no', '=', p.orderNo));
type PayOpen = { orderNo: string; attemptId: string; now: number; seq: number };
const payOpen = {
  paid: compiled((db, p: PayOpen) =>
    db
      .updateTable('orders')
      .set({ status: 'paid', paid_at: p.now, paid_attempt_id: p.attemptId, settlement_step: 'pending', updated_at: p.now })
      .where('order_no', '=', p.orderNo)
      .where('status', '=', 'open')
      .where('deadline_at', '>', p.now),
  ),
  settled: compiled((db, p: PayOpen) =>
    db
      .updateTable('orders')
      .set({
        status: 'settled',
        paid_at: p.now,
        paid_attempt_id: p.attemptId,
        settlement_step: 'notified',
        updated_at: p.now,
        next_seq: sql<number>`next_seq + 1`,
      })
      .where('order_no', '=', p.orderNo)
      .where('status', '=', 'open')
      .where('deadline_at', '>', p.now)
      .where('next_seq', '=', p.seq),
  ),
};

export function findOrder(db: Db, orderNo: string): Promise<Order | undefined> {
  return orderByNo.first(db, { orderNo });
}

export function findLiveOrder(db: Db, partnerId: string, referNo: string): Promise<Order | undefined> {
  return db.selectFrom('orders').selectAll().where('partner_id', '=', partnerId).where('active_ref', '=', referNo).executeTakeFirst();
}

/** The order row under its lock (MySQL `FOR UPDATE`; SQLite runs one writing transaction at a time). */
export function lockOrder(db: Db, orderNo: string, lock: boolean): Promise<Order | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertOrder(db: Db, order: Order): Promise<void> {
  await db.insertInto('orders').values(order).execute();
}

/**
 * `open → paid` by this attempt; false when the order was not open (only one attempt can win). `settled`: settlement
 * runs in the same transaction, so the order is recorded settled (step `notified`) and its next callback seq is taken
 * (the row read after this update has it: seq = next_seq − 1).
 */
export async function markOrderPaid(db: Db, orderNo: string, attemptId: string, now: number, settled = false): Promise<boolean> {
  const res = await db
    .updateTable('orders')
    .set({
      status: settled ? 'settled' : 'paid',
      paid_at: now,
      paid_attempt_id: attemptId,
      settlement_step: settled ? 'notified' : 'pending',
      updated_at: now,
      ...(settled ? { next_seq: sql<number>`next_seq + 1` } : {}),
    })
    .where('order_no', '=', orderNo)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * `open → paid` by a new attempt in one conditional update, also when settlement runs in the same transaction:
 * then the order is recorded settled (step `notified`) and its next callback `seq` (read with the row: `seq`) is
 * taken. Matches only an open order before its deadline whose seq is still `seq`; false otherwise (re-read it).
 */
export async function payOpenOrder(
  db: Db,
  orderNo: string,
  attemptId: string,
  opts: { now: number; settled: boolean; seq: number },
): Promise<boolean> {
  const { now, settled, seq } = opts;
  return (await (settled ? payOpen.settled : payOpen.paid).affected(db, { orderNo, attemptId, now, seq })) === 1;
}

/** `closed → paid_late`: a provider success arrived after the order closed. */
export async function markOrderPaidLate(db: Db, orderNo: string, attemptId: string, now: number): Promise<void> {
  await db
    .updateTable('orders')
    .set({ status: 'paid_late', paid_at: now, paid_attempt_id: attemptId, updated_at: now })
    .where('order_no', '=', orderNo)
    .where('status', '=', 'closed')
    .execute();
}

/** `open → closed`, freeing the refer_no; false when the order was not open any more. */
export async function markOrderClosed(db: Db, orderNo: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('orders')
    .set({ status: 'closed', active_ref: null, closed_at: now, updated_at: now })
    .where('order_no', '=', orderNo)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A user's orders with one partner, newest first. */
export function listUserOrders(db: Db, userId: string, partnerId: string, limit: number): Promise<Order[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('user_id', '=', userId)
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Open orders whose deadline has passed. */
export function expiredOpenOrders(db: Db, now: number, limit: number): Promise<Order[]> {
  return db.selectFrom('orders').selectAll().where('status', '=', 'open').where('deadline_at', '<=', now).limit(limit).execute();
}

/** Takes the order's next callback `seq` (the increment holds the row's lock, so concurrent events stay ordered). */
export async function takeNextSeq(db: Db, orderNo: string): Promise<number> {
  await db
    .updateTable('orders')
    .set({ next_seq: sql<number>`next_seq + 1` })
    .where('order_no', '=', orderNo)
    .execute();
  const row = await db.selectFrom('orders').select('next_seq').where('order_no', '=', orderNo).executeTakeFirstOrThrow();
  return Number(row.next_seq) - 1;
}

/** Moves the settlement step `from → to` only if nobody else did meanwhile (several workers may race on one order). */
export async function advanceSettlement(db: Db, orderNo: string, from: SettlementStep, to: SettlementStep, now: number): Promise<boolean> {
  const res = await db
    .updateTable('orders')
    .set({ settlement_step: to, updated_at: now })
    .where('order_no', '=', orderNo)
    .where('settlement_step', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** `paid → settled` once settlement told the partner. */
export async function markOrderSettled(db: Db, orderNo: string, now: number): Promise<void> {
  await db
    .updateTable('orders')
    .set({ status: 'settled', updated_at: now })
    .where('order_no', '=', orderNo)
    .where('status', '=', 'paid')
    .execute();
}

/** Paid orders whose settlement has not reached `notified` (after a crash). */
export function unsettledOrders(db: Db, limit: number): Promise<{ order_no: string }[]> {
  return db
    .selectFrom('orders')
    .select('order_no')
    .where('status', '=', 'paid')
    .where('settlement_step', '!=', 'notified')
    .limit(limit)
    .execute();
}

export type OrderStatus = OrderTable['status'];

/** A partner's orders under one refer_no (open, paid or closed), newest first. */
export function ordersOfReferNo(db: Db, partnerId: string, referNo: string, limit: number): Promise<Order[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('refer_no', '=', referNo)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
