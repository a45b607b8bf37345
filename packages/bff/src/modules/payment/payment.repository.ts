// Small Kysely functions over payment attempts and provider notifications; `db` first (a transaction works too).
import type { FailureReason } from '@zf/shared';
import { compiled, compiledInsert, compiledVariants } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import { newId, type RandomSource } from '../../lib/ids.ts';
import type { PaymentAttempt, PaymentAttemptTable, ProviderNotificationTable } from './payment.table.ts';

type Method = PaymentAttemptTable['method'];
type Status = PaymentAttemptTable['status'];
/** Attempts whose outcome is not known yet. */
export const IN_FLIGHT: Status[] = ['created', 'submitted', 'pending_bank'];

export function findAttempt(db: Db, id: string): Promise<PaymentAttempt | undefined> {
  return db.selectFrom('payment_attempts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getAttempt(db: Db, id: string): Promise<PaymentAttempt> {
  return db.selectFrom('payment_attempts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The attempt a provider knows by our reference (`mchtOrderNo`, `outer_trade_no`). */
export function findAttemptByProviderRef(db: Db, method: Method, ref: string): Promise<PaymentAttempt | undefined> {
  return db.selectFrom('payment_attempts').selectAll().where('provider_ref', '=', ref).where('method', '=', method).executeTakeFirst();
}

export function lastAttempt(db: Db, orderNo: string): Promise<PaymentAttempt | undefined> {
  return db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('order_no', '=', orderNo)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

// Run by every payment: compiled once per dialect (db/compiled-query.ts).
const insertAttemptRow = compiledInsert('payment_attempts', {
  id: true,
  order_no: true,
  method: true,
  amount_fen: true,
  status: true,
  card_id: true,
  provider_ref: true,
  provider_trade_no: true,
  failure_reason: true,
  internal_reason: true,
  submitted_at: true,
  next_poll_at: true,
  poll_count: true,
  created_at: true,
  updated_at: true,
});
const inFlightOfOrder = compiledVariants((db, p: { orderNo: string }, lock: 'lock' | 'read') =>
  db
    .selectFrom('payment_attempts')
    .select(['id', 'method', 'created_at'])
    .where('order_no', '=', p.orderNo)
    .where('status', 'in', IN_FLIGHT)
    .orderBy('created_at')
    .$if(lock === 'lock', (q) => q.forUpdate()),
);
const oldestInFlightOf = compiled((db, p: { orderNo: string; method: Method }) =>
  db
    .selectFrom('payment_attempts')
    .select(['id', 'created_at'])
    .where('order_no', '=', p.orderNo)
    .where('method', '=', p.method)
    .where('status', 'in', IN_FLIGHT)
    .orderBy('created_at'),
);

export async function insertAttempt(db: Db, attempt: PaymentAttempt): Promise<void> {
  await insertAttemptRow.execute(db, attempt);
}

/** An in-flight attempt of the order by `method`; `lock` takes the row locks (MySQL) so pay requests serialize. */
export function findInFlightAttempt(db: Db, orderNo: string, method: Method, lock: boolean): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('payment_attempts')
    .select('id')
    .where('order_no', '=', orderNo)
    .where('method', '=', method)
    .where('status', 'in', IN_FLIGHT)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** Any in-flight attempt of the order (every method); `lock` takes the row locks (MySQL). */
export function findAnyInFlightAttempt(
  db: Db,
  orderNo: string,
  lock: boolean,
): Promise<{ id: string; method: Method; created_at: number } | undefined> {
  return db
    .selectFrom('payment_attempts')
    .select(['id', 'method', 'created_at'])
    .where('order_no', '=', orderNo)
    .where('status', 'in', IN_FLIGHT)
    .orderBy('created_at')
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** Every in-flight attempt of the order, oldest first; `lock` takes the row locks (MySQL) so pay requests serialize. */
export function inFlightAttempts(db: Db, orderNo: string, lock: boolean): Promise<{ id: string; method: Method; created_at: number }[]> {
  return inFlightOfOrder(lock ? 'lock' : 'read').rows(db, { orderNo });
}

/** The oldest in-flight attempt of the order by `method`, with when it started (the cashier's pending trip). */
export function oldestInFlight(db: Db, orderNo: string, method: Method): Promise<{ id: string; created_at: number } | undefined> {
  return oldestInFlightOf.first(db, { orderNo, method });
}

/** An in-flight attempt paying with this card (any order); `lock` as above. */
export function findInFlightCardAttempt(db: Db, cardId: string, lock: boolean): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('payment_attempts')
    .select('id')
    .where('card_id', '=', cardId)
    .where('method', '=', 'card')
    .where('status', 'in', IN_FLIGHT)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** The final outcomes of card attempts with these cards (for ordering the card list). */
export function cardOutcomes(
  db: Db,
  cardIds: string[],
): Promise<{ card_id: string | null; status: Status; failure_reason: string | null; updated_at: number }[]> {
  if (cardIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('payment_attempts')
    .select(['card_id', 'status', 'failure_reason', 'updated_at'])
    .where('card_id', 'in', cardIds)
    .where('status', 'in', ['succeeded', 'failed'])
    .execute();
}

/** Self-pay money of successful attempts of the order other than the one that paid it (DOUBLE_PAYMENT cases). */
export async function extraPaidFen(db: Db, orderNo: string, paidAttemptId: string | null): Promise<number> {
  const rows = await db
    .selectFrom('payment_attempts')
    .select(['id', 'amount_fen'])
    .where('order_no', '=', orderNo)
    .where('status', '=', 'succeeded')
    .execute();
  return rows.filter((r) => r.id !== paidAttemptId).reduce((sum, r) => sum + Number(r.amount_fen), 0);
}

/** `→ succeeded`, once: false when the attempt already was (a concurrent copy of the same success). */
export async function markSucceeded(db: Db, attempt: PaymentAttempt, providerTradeNo: string | null, now: number): Promise<boolean> {
  const res = await db
    .updateTable('payment_attempts')
    .set({
      status: 'succeeded',
      provider_trade_no: providerTradeNo ?? attempt.provider_trade_no,
      failure_reason: null,
      next_poll_at: null,
      updated_at: now,
    })
    .where('id', '=', attempt.id)
    .where('status', '!=', 'succeeded')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** `→ failed` from one of the states `from` (default: any in-flight one); false when it was not in them. */
export async function markFailed(
  db: Db,
  id: string,
  reason: FailureReason,
  internal: string,
  now: number,
  from: Status[] = IN_FLIGHT,
): Promise<boolean> {
  const res = await db
    .updateTable('payment_attempts')
    .set({ status: 'failed', failure_reason: reason, internal_reason: internal.slice(0, 255), next_poll_at: null, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** `submitted → pending_bank` (the 5-second rule), once. */
export async function markPendingBank(db: Db, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('payment_attempts')
    .set({ status: 'pending_bank', updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Attempts of `method` still `submitted` since `before` (oldest first). */
export function submittedBefore(db: Db, method: Method, before: number, limit: number): Promise<{ id: string }[]> {
  return db
    .selectFrom('payment_attempts')
    .select('id')
    .where('method', '=', method)
    .where('status', '=', 'submitted')
    .where('submitted_at', '<=', before)
    .orderBy('submitted_at')
    .limit(limit)
    .execute();
}

/** In-flight attempts of `method` whose next poll is due. */
export function duePolls(db: Db, method: Method, now: number, limit: number): Promise<PaymentAttempt[]> {
  return db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('method', '=', method)
    .where('status', 'in', ['submitted', 'pending_bank'])
    .where('next_poll_at', '<=', now)
    .orderBy('next_poll_at')
    .limit(limit)
    .execute();
}

/** Claims a due poll by moving its `next_poll_at` conditionally (several instances poll; one wins each attempt). */
export async function claimPoll(db: Db, attempt: PaymentAttempt, leaseUntil: number): Promise<boolean> {
  const res = await db
    .updateTable('payment_attempts')
    .set({ next_poll_at: leaseUntil })
    .where('id', '=', attempt.id)
    .where('next_poll_at', '=', Number(attempt.next_poll_at))
    .where('status', 'in', ['submitted', 'pending_bank'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Schedules the next poll of an in-flight attempt (`null` stops polling). */
export async function schedulePoll(db: Db, id: string, nextPollAt: number | null, now: number, pollCount?: number): Promise<void> {
  await db
    .updateTable('payment_attempts')
    .set({ next_poll_at: nextPollAt, updated_at: now, ...(pollCount === undefined ? {} : { poll_count: pollCount }) })
    .where('id', '=', id)
    .$if(nextPollAt !== null, (q) => q.where('status', 'in', ['submitted', 'pending_bank']))
    .execute();
}

/** Keeps the provider's trade number the first time it is learnt. */
export async function setProviderTradeNo(db: Db, id: string, tradeNo: string, now: number): Promise<void> {
  await db
    .updateTable('payment_attempts')
    .set({ provider_trade_no: tradeNo, updated_at: now })
    .where('id', '=', id)
    .where('provider_trade_no', 'is', null)
    .execute();
}

/** Attempts of `method` still `submitted` for orders whose deadline passed before `deadlineBefore`. */
export function staleAttempts(db: Db, method: Method, deadlineBefore: number, limit: number): Promise<{ id: string }[]> {
  return db
    .selectFrom('payment_attempts')
    .innerJoin('orders', 'orders.order_no', 'payment_attempts.order_no')
    .select('payment_attempts.id')
    .where('payment_attempts.method', '=', method)
    .where('payment_attempts.status', '=', 'submitted')
    .where('orders.deadline_at', '<', deadlineBefore)
    .limit(limit)
    .execute();
}

export interface NotificationInput {
  provider: ProviderNotificationTable['provider'];
  /** One row per key: a resend or replay of the same notification is not recorded twice. */
  dedupeKey: string;
  attemptId: string | null;
  payload: unknown;
  now: number;
  random?: RandomSource;
}

/** Keeps a notification for the record; returns false when one with the same key was already kept (a repeat). */
export function recordNotification(db: Db, input: NotificationInput): Promise<boolean> {
  return insertOnce(db, 'provider_notifications', {
    id: newId('PN', input.now, input.random),
    provider: input.provider,
    dedupe_key: input.dedupeKey,
    attempt_id: input.attemptId,
    payload: JSON.stringify(input.payload),
    created_at: input.now,
  });
}

export async function notificationSeen(db: Db, dedupeKey: string): Promise<boolean> {
  return (await db.selectFrom('provider_notifications').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst()) !== undefined;
}

/** Every attempt of an order, oldest first. */
export function attemptsOfOrder(db: Db, orderNo: string): Promise<PaymentAttempt[]> {
  return db.selectFrom('payment_attempts').selectAll().where('order_no', '=', orderNo).orderBy('created_at').orderBy('id').execute();
}
