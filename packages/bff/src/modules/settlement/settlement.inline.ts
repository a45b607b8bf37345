// Settlement in the payment's own transaction (issue 11): when the api_core_v2 tables share our database, a payment
// (balance; a card or Guanaitong success as it is recorded; a Y = 0 order as it is confirmed) and every settlement
// step commit together — the order goes open → settled in one commit, with the same rows the
// recorded steps (settlement.service.ts) write one transaction each. A separate quota connection (or
// SETTLE_IN_PAYMENT=false) keeps the recorded steps; so does recovery (a step path left by a crash resumes there).
import type { Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { InsufficientFunds } from '../../ledger/ledger.ts';
import { faultPoint } from '../../lib/fault.ts';
import type { EnqueueInput } from '../callback/callback.service.ts';
import type { Order } from '../order/order.table.ts';
import { deductQuota } from '../order/order-holds.ts';
import { findOrder } from '../order/order.repository.ts';
import { checkedQuota, clearInsurerShare, isDirectPay, notifyPaid, parkInsurerShare } from './settlement.effects.ts';
import { checkLevels } from './settlement.service.ts';

/** What the settlement in the payment's transaction needs read before it. */
export interface InlineSettlement {
  /** The insurer's remaining quota (Infinity when the order deducts none). */
  remaining: number;
}

/**
 * Whether this order's payment settles in its own transaction (null: the recorded steps after it), with the quota
 * read it needs. The read runs before the payment's transaction: it may catch the quota book up and mirror
 * recharges in transactions of its own. It only decides the INSURER_QUOTA_SHORT alert, which never blocks.
 */
export async function planInlineSettlement(deps: Deps, order: Order): Promise<InlineSettlement | null> {
  if (!deps.config.settleInPayment || !deps.quota.sharesDatabase) return null;
  const direct = isDirectPay(order) && Number(order.insurer_fen) > 0;
  return { remaining: direct ? await deps.quota.remaining(order.ic_code) : Infinity };
}

/**
 * {@link planInlineSettlement} for a provider's success (card, Guanaitong), which arrives for an attempt already
 * written: reads the order first (only an open order can be paid by it; a late or double success plans nothing).
 */
export async function planInlineSettlementOf(deps: Deps, orderNo: string): Promise<{ order: Order; plan: InlineSettlement } | null> {
  if (!deps.config.settleInPayment || !deps.quota.sharesDatabase) return null;
  const order = await findOrder(deps.db, orderNo);
  if (order?.status !== 'open') return null;
  const plan = await planInlineSettlement(deps, order);
  return plan ? { order, plan } : null;
}

/**
 * Every settlement step in the payment's transaction, after the order was recorded settled with its callback seq
 * (`payOpenOrder` for a balance payment, `markOrderPaid` in `applySuccess` for card, Guanaitong and Y = 0): coverage used, quota checked, the type 2 record and its mirror, the insurer share cleared (or
 * parked when the clearing ledger is short: the refused transfer leaves nothing), and the `paid` callback — the
 * clearing last, see below.
 */
export async function settleInTransaction(
  deps: Deps,
  trx: Db,
  order: Order,
  plan: InlineSettlement,
  now: number,
  known: Pick<EnqueueInput, 'seq' | 'method'>,
): Promise<void> {
  const insurerFen = Number(order.insurer_fen);
  await checkedQuota(deps, trx, order, plan.remaining, now);
  if (isDirectPay(order)) {
    if (insurerFen > 0) await deps.quota.deductIn(trx, order.ic_code, insurerFen, order.order_no, now);
    await deductQuota(trx, order, now);
  }
  await notifyPaid(deps, trx, order, now, known);
  // Last: the clearing account is debited conditionally where it stands (it has a floor) and every payment takes its
  // row lock, so only the deferred balance updates and the commit come after it (ledger/deferred.ts).
  if (isDirectPay(order)) {
    try {
      await clearInsurerShare(trx, order, now);
    } catch (err) {
      if (!(err instanceof InsufficientFunds)) throw err;
      await parkInsurerShare(deps, trx, order, now);
    }
  }
}

/**
 * After the payment's commit: the quota alert levels, as the recorded steps check them after the deduction — from
 * the quota read before the payment less this deduction (the quota is read again only when that crosses a level).
 */
export async function afterInlineSettlement(deps: Deps, order: Order, plan: InlineSettlement): Promise<void> {
  // Crash tests: the payment and its whole settlement committed (the recorded steps' `settlement:notified`).
  faultPoint(deps.config, 'settlement:notified');
  const insurerFen = Number(order.insurer_fen);
  if (isDirectPay(order) && insurerFen > 0) await checkLevels(deps, order.ic_code, plan.remaining - insurerFen);
}
