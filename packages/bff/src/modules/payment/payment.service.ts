// Payment attempts: confirming an order, creating attempts, and the one success path every method ends in
// (the order's open → paid change that only one attempt can win, then settlement).
import type { FailureReason, OrderView } from '@zf/shared';
import { inTransaction, type Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { newId } from '../../lib/ids.ts';
import { Accounts, transfer } from '../../ledger/ledger.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { recordExtraPaymentRefund } from '../refund/refund.auto.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { findOrder, markOrderPaid, markOrderPaidLate } from '../order/order.repository.ts';
import { orderIsExpired } from '../order/order.view.ts';
import type { Order } from '../order/order.table.ts';
import { createOrder, viewOrder } from '../order/order.service.ts';
import { settleOrder } from '../settlement/settlement.service.ts';
import {
  afterInlineSettlement,
  planInlineSettlement,
  planInlineSettlementOf,
  settleInTransaction,
  type InlineSettlement,
} from '../settlement/settlement.inline.ts';
import { findInFlightAttempt, getAttempt, insertAttempt, markFailed, markSucceeded, oldestInFlight } from './payment.repository.ts';
import type { PaymentAttempt, PaymentAttemptTable } from './payment.table.ts';

/** ZF0080 when paid, ZF0070 when closed or past its deadline; otherwise the order may take a payment. */
export function assertPayable(order: Order, now: number): void {
  if (order.status === 'paid' || order.status === 'settled' || order.status === 'paid_late') fail('ZF0080');
  if (order.status === 'closed' || orderIsExpired(order, now)) fail('ZF0070');
}

/**
 * ZF0170 while a card payment of the order still waits for the bank: another payment now could succeed beside it
 * and turn into a refund case. `lock` takes the row locks (MySQL) so concurrent pay requests serialize.
 */
export async function assertNoCardInFlight(trx: Db, orderNo: string, lock: boolean): Promise<void> {
  const inFlight = await findInFlightAttempt(trx, orderNo, 'card', lock);
  if (inFlight) fail('ZF0170', `card attempt ${inFlight.id} still in flight`);
}

/**
 * ZF0200 while a Guanaitong trip of the order is in flight, unless the user confirmed paying another way
 * (`confirm_supersede`): the trip may still be paid at Guanaitong, and then the order is paid twice (the second
 * success is a DOUBLE_PAYMENT, alerted and refunded). Checked before the PIN and again in the paying transaction.
 */
export async function assertTripSuperseded(deps: Deps, db: Db, orderNo: string, confirmed: boolean | undefined): Promise<void> {
  const trip = await oldestInFlight(db, orderNo, 'guanaitong');
  if (!trip) return;
  if (!confirmed) fail('ZF0200', `guanaitong attempt ${trip.id} in flight`);
  deps.logger.warn(
    { order_no: orderNo, guanaitong_attempt: trip.id },
    'paying another way while a guanaitong trip is in flight (user confirmed)',
  );
}

/** Creates an attempt row for an order's self-pay share. */
export async function createAttempt(
  db: Db,
  order: Order,
  method: PaymentAttemptTable['method'],
  now: number,
  fields: Partial<PaymentAttempt> = {},
): Promise<PaymentAttempt> {
  const attempt: PaymentAttempt = {
    id: newId('PA', now),
    order_no: order.order_no,
    method,
    amount_fen: Number(order.self_pay_fen),
    status: 'created',
    card_id: null,
    provider_ref: null,
    provider_trade_no: null,
    failure_reason: null,
    internal_reason: null,
    submitted_at: null,
    next_poll_at: null,
    poll_count: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
  await insertAttempt(db, attempt);
  return attempt;
}

/** Where the self-pay share comes from: the user's wallet, or outside money (bank, Guanaitong). */
function sourceAccount(order: Order, method: PaymentAttempt['method']): string {
  return method === 'balance' ? Accounts.userWallet(order.user_id) : Accounts.world;
}

export type SuccessOutcome = 'paid' | 'duplicate' | 'late' | 'double';

/**
 * The one success path. Inside the caller's transaction: marks the attempt succeeded, moves the self-pay share to
 * the merchant and flips the order open → paid (a conditional update only one attempt can win). A success for a
 * closed order is kept as `paid_late` and raised (LATE_PAYMENT); a second success for a paid order is raised as
 * DOUBLE_PAYMENT (a refund case), never settled twice. Throws InsufficientFunds for a wallet that cannot cover it.
 * `inline` (planned before the transaction, see settlement.inline.ts): the winner also settles the order here, in the
 * same transaction; late and double successes are unaffected.
 */
export async function applySuccess(
  deps: Deps,
  trx: Db,
  attemptId: string,
  providerTradeNo: string | null,
  now: number,
  inline: InlineSettlement | null = null,
): Promise<SuccessOutcome> {
  const attempt = await getAttempt(trx, attemptId);
  if (attempt.status === 'succeeded') return 'duplicate';
  // Conditional: when the same success arrives twice at once (notify and poll), the second waits for the first's row
  // lock and then matches nothing, instead of reading the order as paid by "another" attempt (DOUBLE_PAYMENT).
  if (!(await markSucceeded(trx, attempt, providerTradeNo, now))) return 'duplicate';
  const won = await markOrderPaid(trx, attempt.order_no, attemptId, now, inline !== null);
  const order = await findOrder(trx, attempt.order_no);
  if (!order) throw new Error(`attempt ${attemptId} without order`);
  if (won) {
    if (Number(attempt.amount_fen) > 0) {
      await transfer(trx, {
        key: `order:${order.order_no}:selfpay`,
        from: sourceAccount(order, attempt.method),
        to: Accounts.merchant(order.partner_id),
        amountFen: Number(attempt.amount_fen),
        orderNo: order.order_no,
        memo: `self-pay by ${attempt.method}`,
        now,
      });
    }
    // The update above took the order's next callback seq with its row lock: the row read after it holds seq + 1.
    if (inline) await settleInTransaction(deps, trx, order, inline, now, { seq: Number(order.next_seq) - 1, method: attempt.method });
    return 'paid';
  }
  if (order.status === 'closed') {
    await markOrderPaidLate(trx, order.order_no, attemptId, now);
    await raiseAlert(trx, deps.logger, {
      kind: 'LATE_PAYMENT',
      dedupeKey: `LATE_PAYMENT:${attemptId}`,
      orderNo: order.order_no,
      amountFen: Number(attempt.amount_fen),
      detail: `${attempt.method} success after the order closed; refunded automatically`,
      now,
    });
    await recordExtraPaymentRefund(trx, {
      attempt,
      partnerId: order.partner_id,
      alertKey: `LATE_PAYMENT:${attemptId}`,
      reason: '订单已关闭后到账，自动退款',
      now,
      random: deps.random,
    });
    return 'late';
  }
  await raiseAlert(trx, deps.logger, {
    kind: 'DOUBLE_PAYMENT',
    dedupeKey: `DOUBLE_PAYMENT:${attemptId}`,
    orderNo: order.order_no,
    amountFen: Number(attempt.amount_fen),
    detail: `second successful ${attempt.method} attempt on a paid order; refunded automatically`,
    now,
  });
  await recordExtraPaymentRefund(trx, {
    attempt,
    partnerId: order.partner_id,
    alertKey: `DOUBLE_PAYMENT:${attemptId}`,
    reason: '重复支付，自动退款',
    now,
    random: deps.random,
  });
  return 'double';
}

/**
 * Records a provider's success for an attempt (card notify/poll, Guanaitong notify) and settles the order: in the
 * success's own transaction where the quota tables share our database, else by the recorded steps after it.
 * Idempotent: a replayed success changes nothing. `orderNo`: the attempt's order, when the caller has it.
 */
export async function recordProviderSuccess(
  deps: Deps,
  attemptId: string,
  providerTradeNo: string | null,
  orderNo?: string,
): Promise<SuccessOutcome> {
  const planned = await planInlineSettlementOf(deps, orderNo ?? (await getAttempt(deps.db, attemptId)).order_no);
  const inline = planned?.plan ?? null;
  const outcome = await inTransaction(deps.db, (trx) => applySuccess(deps, trx, attemptId, providerTradeNo, deps.clock.now(), inline));
  if (outcome === 'paid') {
    if (planned) await afterInlineSettlement(deps, planned.order, planned.plan);
    else await settleAfterPayment(deps, attemptId);
  }
  return outcome;
}

/**
 * Records a provider's final failure for an attempt; the order stays open for another try.
 * @param callback whether the partner hears of it (bank results do; local failures do not, SPEC §3.6).
 */
export async function recordFailure(
  deps: Deps,
  attemptId: string,
  reason: FailureReason,
  internal: string,
  callback: boolean,
): Promise<boolean> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (trx) => {
    if (!(await markFailed(trx, attemptId, reason, internal, now))) return false;
    deps.logger.info({ attempt_id: attemptId, reason, internal }, 'payment attempt failed');
    const attempt = await getAttempt(trx, attemptId);
    const order = await findOrder(trx, attempt.order_no);
    if (callback && order && order.status === 'open') {
      await enqueueCallback(trx, order, {
        event: 'failed',
        resCode: 'ZF0090',
        resInfo: '支付失败，用户可继续支付',
        final: false,
        now,
        random: deps.random,
      });
    }
    return true;
  });
}

/** Settles the order an attempt paid; a crash or error leaves it to the recovery job. */
export async function settleAfterPayment(deps: Deps, attemptId: string): Promise<void> {
  const attempt = await getAttempt(deps.db, attemptId);
  try {
    await settleOrder(deps, attempt.order_no);
  } catch (err) {
    // The payment stands; the recovery job resumes settlement from the last recorded step.
    deps.logger.error({ err, order_no: attempt.order_no }, 'settlement interrupted; recovery will resume it');
  }
}

/**
 * Y = 0: the insurer pays everything, so confirming the order goes straight to payment success and settlement — in
 * the confirming transaction where the quota tables share our database, else by the recorded steps after it.
 */
export async function payInsurerOnly(deps: Deps, order: Order): Promise<void> {
  if (Number(order.self_pay_fen) !== 0 || order.status !== 'open') return;
  const inline = await planInlineSettlement(deps, order);
  const now = deps.clock.now();
  const attempt = await inTransaction(deps.db, async (trx) => {
    const a = await createAttempt(trx, order, 'insurer_only', now, { status: 'submitted', submitted_at: now });
    if ((await applySuccess(deps, trx, a.id, null, now, inline)) !== 'paid') fail('ZF0080');
    return a;
  });
  if (inline) await afterInlineSettlement(deps, order, inline);
  else await settleAfterPayment(deps, attempt.id);
}

/**
 * Confirms the session's order under a policy (SPEC §3.5): creates it, or returns the live one of this refer_no;
 * a new order with no self-pay share (Y = 0) is paid and settled at once.
 */
export async function confirmOrder(deps: Deps, session: Session, policyNo: string): Promise<{ order: OrderView; created: boolean }> {
  const { order, created } = await createOrder(deps, session, policyNo);
  // Read again only what changed since it was read or written: a new Y = 0 order is paid and settled at once.
  if (created && Number(order.self_pay_fen) === 0) {
    await payInsurerOnly(deps, order);
    return { order: await viewOrder(deps, (await findOrder(deps.db, order.order_no)) ?? order), created };
  }
  // A new order has no attempt yet; a live one returned as it was read.
  return { order: await viewOrder(deps, order, created ? { attempt: undefined } : undefined), created };
}
