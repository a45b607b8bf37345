// Read-only views the reconciliation compares (orders of a window with their attempts, transfers, holds, callbacks,
// clearing tasks, alerts and provider notifications). Nothing here writes.
import type { Db } from '../../db/database.ts';

/** The window's orders in (created_at, order_no) order; only those after `after` when given (a resumed run). */
export function ordersSince(db: Db, since: number, until?: number, after?: { createdAt: number; orderNo: string }) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('created_at', '>=', since)
    .$if(until !== undefined, (q) => q.where('created_at', '<', until!))
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('created_at', '>', after!.createdAt),
          eb.and([eb('created_at', '=', after!.createdAt), eb('order_no', '>', after!.orderNo)]),
        ]),
      ),
    )
    .orderBy('created_at')
    .orderBy('order_no')
    .execute();
}

/** The automatic / console refunds of whole extra payments (`extra_attempt`) of these orders. */
export function extraRefundsOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db
        .selectFrom('refunds')
        .select(['order_no', 'refund_no', 'attempt_id', 'status', 'amount_fen', 'self_pay_fen', 'insurer_fen', 'held'])
        .where('order_no', 'in', orderNos)
        .where('kind', '=', 'extra_attempt')
        .execute()
    : Promise.resolve([]);
}

export function attemptsOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length ? db.selectFrom('payment_attempts').selectAll().where('order_no', 'in', orderNos).execute() : Promise.resolve([]);
}

export function transfersOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db.selectFrom('ledger_transfers').select(['order_no', 'idempotency_key', 'amount_fen']).where('order_no', 'in', orderNos).execute()
    : Promise.resolve([]);
}

export function holdsOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db.selectFrom('ledger_pending').select(['order_no', 'idempotency_key', 'status']).where('order_no', 'in', orderNos).execute()
    : Promise.resolve([]);
}

export function finalCallbacksOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db
        .selectFrom('callback_events')
        .select(['id', 'order_no', 'event', 'status'])
        .where('order_no', 'in', orderNos)
        .where('final', '=', 1)
        .execute()
    : Promise.resolve([]);
}

export function clearingTasksOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db.selectFrom('clearing_tasks').select(['order_no', 'amount_fen', 'status']).where('order_no', 'in', orderNos).execute()
    : Promise.resolve([]);
}

export function alertKeysOfOrders(db: Db, orderNos: string[]) {
  return orderNos.length
    ? db.selectFrom('alerts').select(['order_no', 'kind', 'dedupe_key']).where('order_no', 'in', orderNos).execute()
    : Promise.resolve([]);
}

export function notificationsOfAttempts(db: Db, attemptIds: string[]) {
  return attemptIds.length
    ? db
        .selectFrom('provider_notifications')
        .select(['attempt_id', 'dedupe_key', 'payload'])
        .where('attempt_id', 'in', attemptIds)
        .execute()
    : Promise.resolve([]);
}
