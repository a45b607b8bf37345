// Settlement after a successful payment (SPEC §3.7), one recorded step at a time, each idempotent per order, so a
// crash anywhere resumes where it stopped: quota check → deduction record → clearing (or parked) → `paid` callback.
import { inTransaction, type Trx } from '../../db/database.ts';
import type { Order, SettlementStep } from '../order/order.table.ts';
import type { Deps } from '../../deps.ts';
import { InsufficientFunds } from '../../ledger/ledger.ts';
import { faultPoint } from '../../lib/fault.ts';
import { advanceSettlement, findOrder, markOrderSettled, unsettledOrders } from '../order/order.repository.ts';
import { deductQuota } from '../order/order-holds.ts';
import { checkQuotaLevels } from '../quota/quota.service.ts';
import { checkedQuota, clearInsurerShare, isDirectPay, notifyPaid, parkInsurerShare } from './settlement.effects.ts';

/** Runs the remaining settlement steps of a paid order. Safe to call again at any time (recovery, retries). */
export async function settleOrder(deps: Deps, orderNo: string): Promise<SettlementStep | null> {
  for (let guard = 0; guard < 6; guard++) {
    const order = await findOrder(deps.db, orderNo);
    // Crash tests: die right after a step was committed (`settlement:pending` = paid, before any settlement step).
    if (order?.settlement_step) faultPoint(deps.config, `settlement:${order.settlement_step}`);
    if (!order || order.status !== 'paid' || order.settlement_step === null || order.settlement_step === 'notified')
      return order?.settlement_step ?? null;
    await runStep(deps, order, order.settlement_step);
  }
  throw new Error(`settlement of ${orderNo} did not finish`);
}

/** Moves the order's step forward only if nobody else did meanwhile (several workers may race on one order). */
function advance(trx: Trx, order: Order, from: SettlementStep, to: SettlementStep, now: number): Promise<boolean> {
  return advanceSettlement(trx, order.order_no, from, to, now);
}

async function runStep(deps: Deps, order: Order, step: SettlementStep): Promise<void> {
  const { db, clock, quota } = deps;
  const now = clock.now();
  const insurerFen = Number(order.insurer_fen);
  const directPay = isDirectPay(order);

  switch (step) {
    case 'pending': {
      // 1–2. The insurer's quota: Σ recharges − Σ deductions. Short → alert and continue.
      const remaining = directPay && insurerFen > 0 ? await quota.remaining(order.ic_code) : Infinity;
      await inTransaction(db, async (trx) => {
        if (!(await advance(trx, order, 'pending', directPay ? 'quota_checked' : 'cleared', now))) return;
        await checkedQuota(deps, trx, order, remaining, now);
      });
      return;
    }
    case 'quota_checked': {
      // 3. The type 2 deduction record, keyed by order no. (on the quota connection: never twice), and its mirror.
      if (insurerFen > 0) await quota.deduct(order.ic_code, insurerFen, order.order_no, now);
      await inTransaction(db, async (trx) => {
        if (!(await advance(trx, order, 'quota_checked', 'deducted', now))) return;
        // The mirror in the quota book: the order's hold is posted (or, without a live hold, a plain transfer).
        await deductQuota(trx, order, now);
      });
      if (insurerFen > 0) await checkLevels(deps, order.ic_code);
      return;
    }
    case 'deducted': {
      // 4. Clearing: the insurer share, advanced from the company clearing ledger, to the partner's ledger.
      try {
        await inTransaction(db, async (trx) => {
          if (!(await advance(trx, order, 'deducted', 'cleared', now))) return;
          await clearInsurerShare(trx, order, now);
        });
      } catch (err) {
        if (!(err instanceof InsufficientFunds)) throw err;
        // Not enough in the clearing ledger: park it for an admin before today's cut-off, alert, and go on.
        await inTransaction(db, async (trx) => {
          if (!(await advance(trx, order, 'deducted', 'clearing_parked', now))) return;
          await parkInsurerShare(deps, trx, order, now);
        });
      }
      return;
    }
    case 'cleared':
    case 'clearing_parked': {
      // 5. Tell the partner: paid (res_code 0), the last word on this order.
      await inTransaction(db, async (trx) => {
        if (!(await advance(trx, order, step, 'notified', now))) return;
        await markOrderSettled(trx, order.order_no, now);
        await notifyPaid(deps, trx, order, now);
      });
      return;
    }
    default:
      return;
  }
}

/** Quota alert levels after a deduction; a failure here must not stop the settlement (the levels job retries). */
export async function checkLevels(deps: Deps, icCode: string, estimateFen?: number): Promise<void> {
  try {
    await checkQuotaLevels(deps, icCode, estimateFen);
  } catch (err) {
    deps.logger.error({ err, ic_code: icCode }, 'quota level check failed; the levels job checks again');
  }
}

/** The recovery job: resumes every paid order whose settlement has not reached `notified` (after a crash). */
export async function resumeSettlements(deps: Deps, limit = 100): Promise<number> {
  const rows = await unsettledOrders(deps.db, limit);
  let resumed = 0;
  for (const { order_no } of rows) {
    try {
      await settleOrder(deps, order_no);
      resumed++;
    } catch (err) {
      deps.logger.error({ err, order_no }, 'settlement resume failed; will retry');
    }
  }
  return resumed;
}
