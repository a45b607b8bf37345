// Orders: creation (one live order per partner + refer_no, the PHID-CYZF- marker, deadline, order_created callback),
// reading them for their user, and closing them at the deadline.
import { quote, type OrderList, type OrderView } from '@zf/shared';
import { inTransaction, isUniqueViolation, type Db } from '../../db/database.ts';
import type { Order } from './order.table.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import type { Deps } from '../../deps.ts';
import { DomainError, fail } from '../../http/errors.ts';
import { newOrderNo } from '../../lib/ids.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { termsOf, usablePolicy } from '../policy/policy.service.ts';
import type { Session } from '../../http/session-token.ts';
import { expiredOpenOrders, findLiveOrder, findOrder, insertOrder, listUserOrders, markOrderClosed } from './order.repository.ts';
import { holdCoverage, releaseCoverageHold } from '../policy/policy-coverage.ts';
import { orderIsExpired, sameBill, toOrderView } from './order.view.ts';
import { findCardEverBound } from '../card/card.repository.ts';
import { findPartner } from '../session/session.repository.ts';
import { extraPaidFen, lastAttempt } from '../payment/payment.repository.ts';
import { warnIfQuotaShort } from '../quota/quota.service.ts';
import { holdQuota, releaseHolds } from './order-holds.ts';

/** The direct-pay marker (seed 000): the payment-success handler settles only orders that carry it. */
export const DIRECT_PAY_MARKER = 'PHID-CYZF-';

export interface CreatedOrder {
  order: Order;
  /** False when an existing live order of this partner + refer_no was returned instead. */
  created: boolean;
}

/**
 * Creates the order for the chosen policy, or returns the live one of this partner + refer_no (never a second).
 * Holds the insurer share on the policy's coverage and on the insurer's quota (ledger pending transfers) until the
 * order is paid (posted) or closed (voided).
 */
export async function createOrder(deps: Deps, session: Session, policyNo: string): Promise<CreatedOrder> {
  const { db, clock, config } = deps;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = clock.now();
    try {
      const result = await inTransaction(db, async (trx): Promise<CreatedOrder> => {
        const live = await findLiveOrder(trx, session.partnerId, session.referNo);
        if (live && !orderIsExpired(live, now)) {
          // Another claim's (or amount's) order on this refer_no: refuse without showing any of it (hole 3).
          if (!sameBill(live, session)) fail('ZF0180', 'session differs from the live order of its refer_no');
          return { order: live, created: false };
        }
        if (live) await closeOrder(deps, trx, live, now);

        const policy = await usablePolicy(trx, session, policyNo, now);
        const q = quote(session.amountFen, termsOf(policy));
        const orderNo = newOrderNo(now, deps.random);
        const order: Order = {
          order_no: orderNo,
          partner_id: session.partnerId,
          refer_no: session.referNo,
          active_ref: session.referNo,
          claim_no: session.claimNo,
          user_id: session.userId,
          policy_no: policy.policy_no,
          ic_code: policy.ic_code,
          insurer_name: policy.insurer_name,
          amount_fen: q.amountFen,
          insurer_fen: q.insurerFen,
          self_pay_fen: q.selfPayFen,
          marker: `${DIRECT_PAY_MARKER}${orderNo}`,
          callback_url: session.callbackUrl,
          status: 'open',
          settlement_step: null,
          // Its first event (order_created, below) takes seq 1 as it is written: no increment and read-back of a row
          // this transaction has just inserted.
          next_seq: 2,
          deadline_at: now + config.orderTtlMs,
          paid_at: null,
          paid_attempt_id: null,
          closed_at: null,
          created_at: now,
          updated_at: now,
        };
        // The order row first: a number another order already has (same second, same 6 random digits) fails here on
        // the primary key and is retried with a new number, before any hold is keyed by it.
        await insertOrder(trx, order);
        if (
          q.insurerFen > 0 &&
          !(await holdCoverage(trx, policy.policy_no, orderNo, q.insurerFen, now + config.orderTtlMs + config.holdGraceMs, now))
        )
          fail('ZF0050', 'coverage changed');
        await holdQuota(trx, order, order.deadline_at + config.holdGraceMs, now);
        await enqueueCallback(trx, order, {
          event: 'order_created',
          resCode: 'ZF0230',
          resInfo: '订单已创建，等待支付',
          final: false,
          seq: 1,
          now,
          random: deps.random,
        });
        // The row is what this transaction wrote (holds and the event live in their own tables): not read back.
        return { order, created: true };
      });
      if (result.created) await earlyQuotaWarning(deps, result.order);
      return result;
    } catch (err) {
      // Two confirms raced: the loser's insert hit the (partner, active_ref) unique index; return the winner's order.
      // Or the order number was taken: the next attempt draws another.
      if (err instanceof DomainError || !isUniqueViolation(err)) throw err;
    }
  }
  return fail('ZF0130', 'order creation kept conflicting');
}

/** The hold is placed; a shortage it reveals is raised early, never blocking the order (seed 000). */
async function earlyQuotaWarning(deps: Deps, order: Order): Promise<void> {
  if (Number(order.insurer_fen) <= 0) return;
  try {
    await warnIfQuotaShort(deps, order.ic_code, order.order_no, Number(order.insurer_fen));
  } catch (err) {
    deps.logger.error({ err, order_no: order.order_no }, 'early quota check failed; settlement checks again');
  }
}

/** An order of the session's partner + refer_no + user; ZF0060 otherwise (foreign orders look like missing ones). */
export async function orderForSession(db: Db, session: Session, orderNo: string): Promise<Order> {
  const order = await findOrder(db, orderNo);
  if (!order || order.partner_id !== session.partnerId || order.refer_no !== session.referNo || order.user_id !== session.userId) {
    return fail('ZF0060');
  }
  if (!sameBill(order, session)) return fail('ZF0180', 'session differs from the order');
  return order;
}

/** One order of the session (ZF0060 for any other), as a payment record. */
export async function showOrder(deps: Deps, session: Session, orderNo: string): Promise<{ order: OrderView }> {
  const order = await orderForSession(deps.db, session, orderNo);
  const partner = await findPartner(deps.db, order.partner_id);
  return { order: await recordView(deps, order, partner?.name ?? null) };
}

/** A payment record: the order with its partner's name and the paying card's last digits. */
async function recordView(deps: Deps, order: Order, partnerName: string | null): Promise<OrderView> {
  const attempt = await lastAttempt(deps.db, order.order_no);
  // A card removed since still names the payment it made.
  const card = attempt?.card_id ? await findCardEverBound(deps.db, order.user_id, attempt.card_id) : undefined;
  const extra = order.status === 'open' ? 0 : await extraPaidFen(deps.db, order.order_no, order.paid_attempt_id);
  return { ...toOrderView(order, attempt, deps.clock.now(), card?.last4 ?? null), partner_name: partnerName, extra_paid_fen: extra };
}

/** The H5's view of an order; `known.attempt`: its last attempt when the caller knows it (a new order has none). */
export async function viewOrder(deps: Deps, order: Order, known?: { attempt: PaymentAttempt | undefined }): Promise<OrderView> {
  const view = toOrderView(order, known ? known.attempt : await lastAttempt(deps.db, order.order_no), deps.clock.now());
  // A second success (DOUBLE_PAYMENT) is money the user paid twice: the result page says it will be refunded.
  const extra = order.status === 'open' ? 0 : await extraPaidFen(deps.db, order.order_no, order.paid_attempt_id);
  return { ...view, extra_paid_fen: extra };
}

/** The session user's orders (payment records), newest first. */
export async function listOrders(deps: Deps, session: Session): Promise<OrderList> {
  const orders = await listUserOrders(deps.db, session.userId, session.partnerId, 50);
  const partner = await findPartner(deps.db, session.partnerId);
  const views = await Promise.all(orders.map((o) => recordView(deps, o, partner?.name ?? null)));
  return { orders: views };
}

/**
 * Closes an open order (deadline passed, or the user changes the policy — `resInfo` says which): frees its refer_no for
 * a new order, tells the partner (`closed`, final); the coverage and quota holds are voided. Conditional, so a
 * concurrent payment and the close job cannot both win.
 */
export async function closeOrder(
  deps: Deps,
  trx: Db,
  order: Order,
  now: number,
  resInfo = '订单已超过支付截止时间，已关闭',
): Promise<boolean> {
  if (!(await markOrderClosed(trx, order.order_no, now))) return false;
  await releaseCoverageHold(trx, order.order_no, now);
  await releaseHolds(trx, order.order_no, now);
  await enqueueCallback(trx, order, { event: 'closed', resCode: 'ZF0070', resInfo, final: true, now, random: deps.random });
  return true;
}

/** The job: closes every open order whose deadline has passed. Returns how many it closed. */
export async function closeExpiredOrders(deps: Deps, limit = 100): Promise<number> {
  const now = deps.clock.now();
  const due = await expiredOpenOrders(deps.db, now, limit);
  let closed = 0;
  for (const order of due) {
    if (await inTransaction(deps.db, (trx) => closeOrder(deps, trx, order, now))) closed++;
  }
  return closed;
}
