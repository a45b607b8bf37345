// Card payment results from Payzero: the signed notify, the polling job (backing off, leased per attempt) and the
// 5-second rule (`timeout` callback when no bank result has arrived 5 s after submission).
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { isFinalPayStatus } from '../../providers/payzero/protocol.ts';
import {
  PAYZERO_POLL_SCHEDULE_MS,
  PayzeroError,
  mapPayzeroFailure,
  type PayStatusNotify,
  type PayzeroClient,
  type PayzeroOrderResult,
} from '../../providers/payzero/client.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { findOrder } from '../order/order.repository.ts';
import {
  claimPoll,
  duePolls,
  findAttemptByProviderRef,
  getAttempt,
  markPendingBank,
  notificationSeen,
  recordNotification,
  schedulePoll,
  submittedBefore,
} from '../payment/payment.repository.ts';
import { recordFailure, recordProviderSuccess } from '../payment/payment.service.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';

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

/** What a bank result did to the attempt. */
export type CardResultOutcome = 'pending' | 'paid' | 'duplicate' | 'late' | 'double' | 'failed' | 'already_final' | 'amount_mismatch';

/**
 * Applies a Payzero order result (from a notify or a poll) to its attempt, idempotently: PAY_SUCCEED → the success
 * path (order paid, settlement, `paid` callback); PAY_FAILED / PAY_CANCELLED → failed with the `failed` callback;
 * anything else → still pending. A success whose amount differs from the attempt's is not applied: it is raised
 * (PAYMENT_AMOUNT_MISMATCH) for an admin, and polling goes on, so the genuine result still lands.
 */
export async function applyPayzeroResult(deps: Deps, attempt: PaymentAttempt, result: PayzeroOrderResult): Promise<CardResultOutcome> {
  if (!isFinalPayStatus(result.payStatus)) return 'pending';
  if (result.payStatus === 'PAY_SUCCEED') {
    if (result.paymentAmount !== null && result.paymentAmount !== Number(attempt.amount_fen)) {
      const now = deps.clock.now();
      // Polling goes on (hole 5): a wrong amount — even a signed one — must not stand in for the genuine result.
      await inTransaction(deps.db, async (trx) => {
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
    return recordProviderSuccess(deps, attempt.id, result.paymentOrderNo, attempt.order_no);
  }
  const failure = mapPayzeroFailure(result);
  const changed = await recordFailure(deps, attempt.id, failure.reason, failure.internal, true);
  if (!changed)
    deps.logger.warn(
      { attempt_id: attempt.id, status: attempt.status, pay_status: result.payStatus },
      'payzero failure for an attempt that is already final; ignored',
    );
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
  if (
    (await notificationSeen(db, dedupeKey)) ||
    (await notificationSeen(db, `${dedupeKey}:refused:${String(notify.order.paymentAmount)}`))
  ) {
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
  // A refused one is kept under its own key (with the amount it claimed): it must not consume the genuine result's.
  const key = outcome === 'amount_mismatch' ? `${dedupeKey}:refused:${String(notify.order.paymentAmount)}` : dedupeKey;
  await recordNotification(db, {
    provider: 'payzero',
    dedupeKey: key,
    attemptId: attempt?.id ?? null,
    payload: { msgType: notify.msgType, timestamp: notify.timestamp, order: notify.order },
    now: deps.clock.now(),
    random: deps.random,
  });
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
        await enqueueCallback(trx, order, {
          event: 'timeout',
          resCode: 'ZF0100',
          resInfo: '银行处理中，支付结果待确认',
          final: false,
          now,
          random: deps.random,
        });
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
    deps.logger.warn(
      { attempt_id: attempt.id, kind: err.kind, errorCode: err.errorCode, detail: err.message },
      'payzero poll failed; will poll again',
    );
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
