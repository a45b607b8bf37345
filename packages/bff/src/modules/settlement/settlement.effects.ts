// What each settlement step writes (SPEC §3.7), inside the caller's transaction: the recorded steps
// (settlement.service.ts, one transaction per step) and the settlement in the payment's own transaction
// (settlement.inline.ts) write the same rows through these functions.
import { formatYuan } from '@zf/shared';
import type { Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { Accounts, transfer } from '../../ledger/ledger.ts';
import { clearingDueAt, createClearingTask, raiseAlert } from '../alert/alert.service.ts';
import { enqueueCallback, type EnqueueInput } from '../callback/callback.service.ts';
import type { Order } from '../order/order.table.ts';
import { DIRECT_PAY_MARKER } from '../order/order.service.ts';
import { useCoverage } from '../policy/policy-coverage.ts';

/** Direct-pay orders (the `PHID-CYZF-` marker) have their insurer share deducted from the quota and cleared. */
export function isDirectPay(order: Pick<Order, 'marker'>): boolean {
  return order.marker?.startsWith(DIRECT_PAY_MARKER) ?? false;
}

/** Step 1–2: the coverage hold becomes a posted use; a quota below the insurer share is raised (never blocks). */
export async function checkedQuota(deps: Deps, trx: Db, order: Order, remaining: number, now: number): Promise<void> {
  const insurerFen = Number(order.insurer_fen);
  await useCoverage(trx, order.order_no, now);
  if (remaining < insurerFen) {
    await raiseAlert(trx, deps.logger, {
      kind: 'INSURER_QUOTA_SHORT',
      dedupeKey: `INSURER_QUOTA_SHORT:${order.order_no}`,
      orderNo: order.order_no,
      amountFen: insurerFen,
      detail: `insurer ${order.ic_code} quota ${formatYuan(remaining)} < share ${formatYuan(insurerFen)}`,
      now,
    });
  }
}

/** Step 4: the insurer share, advanced from the company clearing ledger, to the partner's ledger (InsufficientFunds
 * when the clearing ledger cannot cover it: nothing is written then, see ledger/transfers.ts). */
export async function clearInsurerShare(trx: Db, order: Order, now: number): Promise<void> {
  const insurerFen = Number(order.insurer_fen);
  if (insurerFen <= 0) return;
  await transfer(trx, {
    key: `order:${order.order_no}:insurer`,
    from: Accounts.clearing,
    to: Accounts.merchant(order.partner_id),
    amountFen: insurerFen,
    orderNo: order.order_no,
    memo: 'insurer share cleared',
    now,
  });
}

/** Step 4 when the clearing ledger is short: a manual clearing task before today's cut-off, and the alert. */
export async function parkInsurerShare(deps: Deps, trx: Db, order: Order, now: number): Promise<void> {
  const insurerFen = Number(order.insurer_fen);
  await createClearingTask(trx, {
    orderNo: order.order_no,
    amountFen: insurerFen,
    toAccount: Accounts.merchant(order.partner_id),
    dueAt: clearingDueAt(now, deps.config.clearingCutoff),
    now,
  });
  await raiseAlert(trx, deps.logger, {
    kind: 'CLEARING_LEDGER_SHORT',
    dedupeKey: `CLEARING_LEDGER_SHORT:${order.order_no}`,
    orderNo: order.order_no,
    amountFen: insurerFen,
    detail: `clearing ledger cannot cover ${formatYuan(insurerFen)}; manual clearing task created`,
    now,
  });
}

/** Step 5: the `paid` callback (res_code 0), the last word on this order. */
export async function notifyPaid(
  deps: Deps,
  trx: Db,
  order: Order,
  now: number,
  known: Pick<EnqueueInput, 'seq' | 'method'> = {},
): Promise<void> {
  await enqueueCallback(trx, order, { event: 'paid', resCode: 0, resInfo: '支付成功', final: true, now, random: deps.random, ...known });
}
