// 绑卡支付 through Payzero QuickPay (SPEC §3.6): submitting a card payment, the bank result (signed notify or polling),
// and the 5-second rule (`timeout` callback when no result has arrived 5 s after submission).
//
// Which failures the partner hears of (SPEC §3.6 "local failures are shown, no callback"; §3.9 "each final attempt
// result is called back"):
// - decided while answering the pay request, before any bank result exists — no such card for this user (ZF0150),
//   order not payable, and Payzero refusing the order synchronously (50001/50010 no usable signed card, 50056 card
//   quota, 50054, a 4xx) — are LOCAL: shown to the user (ZF0090 + reason), attempt `failed`, no callback, because the
//   payment never reached the bank and the user simply picks another card or method (like a short wallet balance);
// - the bank's result (PAY_FAILED / PAY_CANCELLED by notify or poll), or any failure decided after the partner was
//   told `timeout`, is CALLED BACK (`failed`, ZF0090).
//
// One card payment in flight per order: a new one is refused with ZF0170 while another card attempt of the order is
// `submitted` or `pending_bank` (checked under the order row's lock). Attempts of different methods may still race;
// the order's conditional open → paid change lets only one succeed (a second success is DOUBLE_PAYMENT).
import { formatYuan, type PayResponse } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { isFinalPayStatus } from '../../providers/payzero/protocol.ts';
import {
  PAYZERO_POLL_SCHEDULE_MS,
  PayzeroError,
  mapPayzeroFailure,
  type PayStatusNotify,
  type PayzeroClient,
  type PayzeroFailure,
  type PayzeroOrderResult,
} from '../../providers/payzero/client.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { findOrder, lockOrder } from '../order/order.repository.ts';
import { toAttemptView, toOrderView } from '../order/order.view.ts';
import { orderForSession } from '../order/order.service.ts';
import {
  claimPoll,
  duePolls,
  findAttemptByProviderRef,
  getAttempt,
  markFailed,
  markPendingBank,
  notificationSeen,
  recordNotification,
  schedulePoll,
  submittedBefore,
} from '../payment/payment.repository.ts';
import { assertNoCardInFlight, assertPayable, createAttempt, recordFailure, recordProviderSuccess } from '../payment/payment.service.ts';
import type { Session } from '../../http/session-token.ts';
import { findUserCard } from './card.repository.ts';

/** SPEC §3.6: with no bank result this long after submission, the partner gets the `timeout` callback. */
export const CARD_RESULT_WAIT_MS = 5_000;
/** A bank result still missing after this long raises PAYMENT_RESULT_OVERDUE (polling goes on). */
export const CARD_RESULT_OVERDUE_MS = 24 * 3_600_000;
/**
 * Payzero answering a look-up with a business error (it does not know the order) is trusted only after this long:
 * our `createAndPay` gave up long before (10 s timeout), so an order that reached Payzero would exist by then.
 */
export const UNKNOWN_ORDER_GRACE_MS = 60_000;
/** A poller claims an attempt for this long, so other instances skip it while it asks Payzero. */
const POLL_LEASE_MS = 30_000;

/**
 * Pays the order's self-pay share with one of the user's bound cards: creates the attempt (`submitted`, its id is
 * the `mchtOrderNo`) and asks Payzero to create and pay it. Answers the order and the `submitted` attempt; the result
 * comes later (notify or poll). ZF0060/0070/0080 for the order, ZF0150 for a card that is not the user's, ZF0170
 * while another card payment of the order is in flight, ZF0090 (+ reason) when Payzero refuses synchronously.
 * A network error or 5xx leaves the outcome unknown: the attempt stays `submitted` and polling finds out.
 */
export async function payByCard(deps: Deps, client: PayzeroClient, session: Session, orderNo: string, cardId: string): Promise<PayResponse> {
  const { db, clock } = deps;
  const order = await orderForSession(db, session, orderNo);
  assertPayable(order, clock.now());
  const card = await findUserCard(db, session.userId, cardId);
  if (!card) return fail('ZF0150', 'no such bound card for this user');

  const now = clock.now();
  const mchtOrderNo = newId('PA', now, deps.random);
  const attempt = await inTransaction(db, async (trx) => {
    // The order row's lock serializes pay requests of one order (MySQL; SQLite runs one transaction at a time).
    const fresh = await lockOrder(trx, orderNo, deps.dialect === 'mysql');
    if (!fresh) return fail('ZF0060');
    assertPayable(fresh, now);
    await assertNoCardInFlight(trx, orderNo, deps.dialect === 'mysql');
    return createAttempt(trx, fresh, 'card', now, {
      id: mchtOrderNo,
      status: 'submitted',
      card_id: card.id,
      provider_ref: mchtOrderNo,
      submitted_at: now,
      next_poll_at: now + (PAYZERO_POLL_SCHEDULE_MS[0] ?? 2_000),
    });
  });

  try {
    await client.createAndPay({
      mchtOrderNo,
      paymentAmountFen: Number(attempt.amount_fen),
      subject: `商保直付自付-${order.order_no}`,
      payerCardNo: card.token,
      payerName: card.holder_name,
      orderDatetimeMs: now,
    });
    deps.logger.info({ attempt_id: attempt.id, order_no: orderNo, amount: formatYuan(Number(attempt.amount_fen)) }, 'card payment submitted to payzero');
  } catch (err) {
    if (err instanceof PayzeroError && !err.retryable && err.kind !== 'malformed') {
      const failure = mapPayzeroFailure(err);
      await failSubmission(deps, attempt.id, failure);
      return fail('ZF0090', failure.internal, { reason: failure.reason });
    }
    // No answer, a 5xx or an unreadable one: Payzero may or may not have the order. Polling finds out.
    deps.logger.warn({ err, attempt_id: attempt.id, order_no: orderNo }, 'card payment outcome unknown; polling will resolve it');
  }
  return payResponse(deps, orderNo, attempt.id);
}

async function payResponse(deps: Deps, orderNo: string, attemptId: string): Promise<PayResponse> {
  const order = await findOrder(deps.db, orderNo);
  const attempt = await getAttempt(deps.db, attemptId);
  if (!order) return fail('ZF0060');
  return { order: toOrderView(order, attempt, deps.clock.now()), attempt: toAttemptView(attempt) };
}

/**
 * A synchronous refusal: local (no callback) while the attempt is still `submitted`. Should the 5 s rule have fired
 * meanwhile (a slow answer), the partner was told `timeout` and so hears the failure too.
 */
async function failSubmission(deps: Deps, attemptId: string, failure: PayzeroFailure): Promise<void> {
  const now = deps.clock.now();
  if (await markFailed(deps.db, attemptId, failure.reason, failure.internal, now, ['submitted'])) {
    deps.logger.info({ attempt_id: attemptId, reason: failure.reason, internal: failure.internal }, 'card payment refused by payzero (local, no callback)');
    return;
  }
  await recordFailure(deps, attemptId, failure.reason, failure.internal, true);
}

/** What a bank result did to the attempt. */
export type CardResultOutcome = 'pending' | 'paid' | 'duplicate' | 'late' | 'double' | 'failed' | 'already_final' | 'amount_mismatch';

/**
 * Applies a Payzero order result (from a notify or a poll) to its attempt, idempotently: PAY_SUCCEED → the success
 * path (order paid, settlement, `paid` callback); PAY_FAILED / PAY_CANCELLED → failed with the `failed` callback;
 * anything else → still pending. A success whose amount differs from the attempt's is not applied: it is raised
 * (PAYMENT_AMOUNT_MISMATCH) and polling stops, for an admin to look at.
 */
export async function applyPayzeroResult(deps: Deps, attempt: PaymentAttempt, result: PayzeroOrderResult): Promise<CardResultOutcome> {
  if (!isFinalPayStatus(result.payStatus)) return 'pending';
  if (result.payStatus === 'PAY_SUCCEED') {
    if (result.paymentAmount !== null && result.paymentAmount !== Number(attempt.amount_fen)) {
      const now = deps.clock.now();
      await inTransaction(deps.db, async (trx) => {
        await schedulePoll(trx, attempt.id, null, now);
        await raiseAlert(trx, deps.logger, {
          kind: 'PAYMENT_AMOUNT_MISMATCH',
          dedupeKey: `PAYMENT_AMOUNT_MISMATCH:${attempt.id}`,
          orderNo: attempt.order_no,
          amountFen: result.paymentAmount,
          detail: `payzero reports ${attempt.provider_ref} paid ${result.paymentAmount} fen, attempt is ${Number(attempt.amount_fen)} fen; not applied`,
          now,
        });
      });
      return 'amount_mismatch';
    }
    return recordProviderSuccess(deps, attempt.id, result.paymentOrderNo);
  }
  const failure = mapPayzeroFailure(result);
  const changed = await recordFailure(deps, attempt.id, failure.reason, failure.internal, true);
  if (!changed) deps.logger.warn({ attempt_id: attempt.id, status: attempt.status, pay_status: result.payStatus }, 'payzero failure for an attempt that is already final; ignored');
  return changed ? 'failed' : 'already_final';
}

/**
 * The notify handler (`PAY_STATUS_NOTIFY`, signature already verified): applies the result once. A repeat of a
 * recorded (order, status) pair changes nothing; every notify handled is kept in `provider_notifications`.
 * Throws only on internal errors (the route then answers 500 and Payzero resends).
 */
export async function handlePayzeroNotify(deps: Deps, notify: PayStatusNotify): Promise<CardResultOutcome | 'repeat' | 'unknown_order'> {
  const { db, logger } = deps;
  const dedupeKey = `payzero:${notify.mchtOrderNo}:${notify.payStatus}`;
  if (await notificationSeen(db, dedupeKey)) {
    logger.info({ mchtOrderNo: notify.mchtOrderNo, payStatus: notify.payStatus }, 'payzero notify repeated; nothing to do');
    return 'repeat';
  }
  const attempt = await findAttemptByProviderRef(db, 'card', notify.mchtOrderNo);
  let outcome: CardResultOutcome | 'unknown_order';
  if (!attempt) {
    // Not ours (or not any more): acknowledged so it is not resent for 6 h, kept for the record.
    logger.error({ mchtOrderNo: notify.mchtOrderNo, payStatus: notify.payStatus }, 'payzero notify for an unknown mchtOrderNo');
    outcome = 'unknown_order';
  } else {
    outcome = await applyPayzeroResult(deps, attempt, notify.order);
    logger.info({ attempt_id: attempt.id, payStatus: notify.payStatus, outcome }, 'payzero notify applied');
  }
  // A concurrent copy of the same notify may have recorded it first; the result itself was applied idempotently.
  await recordNotification(db, { provider: 'payzero', dedupeKey, attemptId: attempt?.id ?? null, payload: { msgType: notify.msgType, timestamp: notify.timestamp, order: notify.order }, now: deps.clock.now(), random: deps.random });
  return outcome;
}

/**
 * The 5-second rule, as a job: every card attempt still `submitted` 5 s after submission moves to `pending_bank`
 * and, in the same transaction, the partner's `timeout` callback (ZF0100, not final) is queued — once per attempt,
 * since only one conditional update can win. Returns how many attempts it moved.
 */
export async function sendCardTimeouts(deps: Deps, limit = 100): Promise<number> {
  const { db, clock } = deps;
  const now = clock.now();
  const due = await submittedBefore(db, 'card', now - CARD_RESULT_WAIT_MS, limit);
  let moved = 0;
  for (const { id } of due) {
    const won = await inTransaction(db, async (trx) => {
      if (!(await markPendingBank(trx, id, now))) return false;
      const attempt = await getAttempt(trx, id);
      const order = await findOrder(trx, attempt.order_no);
      // A closed or already paid order has had its last word; the attempt still waits for its bank result.
      if (order?.status === 'open') {
        await enqueueCallback(trx, order, { event: 'timeout', resCode: 'ZF0100', resInfo: '银行处理中，支付结果待确认', final: false, now, random: deps.random });
      }
      return true;
    });
    if (won) {
      moved++;
      deps.logger.info({ attempt_id: id }, 'no bank result after 5 s: timeout callback queued');
    }
  }
  return moved;
}

/**
 * The polling job: asks Payzero (`/order/feedback`) about every in-flight card attempt whose `next_poll_at` is due,
 * applies final results, and otherwise backs off along `PAYZERO_POLL_SCHEDULE_MS` (raising PAYMENT_RESULT_OVERDUE
 * after 24 h). Safe on several instances: an attempt is claimed by moving its `next_poll_at` conditionally.
 * Returns how many attempts reached a final result.
 */
export async function pollCardResults(deps: Deps, client: PayzeroClient, limit = 50): Promise<number> {
  const { db, clock } = deps;
  const now = clock.now();
  const due = await duePolls(db, 'card', now, limit);
  let finished = 0;
  for (const attempt of due) {
    if (!(await claimPoll(db, attempt, now + POLL_LEASE_MS))) continue;
    try {
      if (await pollOne(deps, client, attempt, now)) finished++;
    } catch (err) {
      // Left claimed: the lease runs out and the attempt is polled again; the other attempts go on now.
      deps.logger.error({ err, attempt_id: attempt.id }, 'polling a card attempt failed');
    }
  }
  return finished;
}

/** One look-up of one attempt; true when it reached a final state. */
async function pollOne(deps: Deps, client: PayzeroClient, attempt: PaymentAttempt, now: number): Promise<boolean> {
  const ref = attempt.provider_ref ?? attempt.id;
  const age = now - Number(attempt.submitted_at ?? attempt.created_at);
  try {
    const { final, result } = await client.pollOnce(ref);
    if (final) {
      const outcome = await applyPayzeroResult(deps, attempt, result);
      deps.logger.info({ attempt_id: attempt.id, payStatus: result.payStatus, outcome }, 'payzero result found by polling');
      return outcome !== 'amount_mismatch';
    }
  } catch (err) {
    if (!(err instanceof PayzeroError)) throw err;
    if (err.kind === 'business' && age >= UNKNOWN_ORDER_GRACE_MS) {
      // Payzero does not know the order: our createAndPay never reached it. Nothing was paid.
      const internal = `payzero has no order ${ref} ${Math.round(age / 1000)} s after submission: ${mapPayzeroFailure(err).internal}`;
      return recordFailure(deps, attempt.id, 'provider_error', internal, true);
    }
    deps.logger.warn({ attempt_id: attempt.id, kind: err.kind, errorCode: err.errorCode, detail: err.message }, 'payzero poll failed; will poll again');
  }
  const polls = Number(attempt.poll_count) + 1;
  const delay = PAYZERO_POLL_SCHEDULE_MS[Math.min(polls, PAYZERO_POLL_SCHEDULE_MS.length - 1)] ?? 30_000;
  await schedulePoll(deps.db, attempt.id, now + delay, now, polls);
  if (age >= CARD_RESULT_OVERDUE_MS) {
    await raiseAlert(deps.db, deps.logger, {
      kind: 'PAYMENT_RESULT_OVERDUE',
      dedupeKey: `PAYMENT_RESULT_OVERDUE:${attempt.id}`,
      orderNo: attempt.order_no,
      amountFen: Number(attempt.amount_fen),
      detail: `no bank result for card payment ${ref} after ${Math.round(age / 3_600_000)} h; ask Payzero`,
      now,
    });
  }
  return false;
}
