// The holds an open order keeps in the ledger (two-phase transfers): its insurer share on the insurer's quota,
// placed at creation, posted by the settlement's deduction, voided when the order closes, expiring after the
// deadline (+ grace) if neither happened.
import type { Db } from '../../db/database.ts';
import { Accounts, postPending, reserve, transfer, voidPending } from '../../ledger/ledger.ts';
import type { Order } from './order.table.ts';

export const quotaHoldKey = (orderNo: string) => `order:${orderNo}:quota-hold`;
/** The key of the posted deduction (unchanged from before holds existed, so older orders settle the same way). */
export const quotaDeductionKey = (orderNo: string) => `order:${orderNo}:quota`;

/** Holds the insurer share X on the insurer's quota (which may go negative: a shortage never blocks the order). */
export async function holdQuota(
  trx: Db,
  order: Pick<Order, 'order_no' | 'ic_code' | 'insurer_fen'>,
  timeoutAt: number,
  now: number,
): Promise<void> {
  if (Number(order.insurer_fen) <= 0) return;
  await reserve(trx, {
    key: quotaHoldKey(order.order_no),
    from: Accounts.insurerQuota(order.ic_code),
    to: Accounts.quotaIssued,
    amountFen: Number(order.insurer_fen),
    timeoutAt,
    orderNo: order.order_no,
    memo: 'insurer quota hold for an open order',
    now,
  });
}

/** The quota deduction of a paid order: posts its hold, or (no live hold: expired, or an order older than holds) a plain transfer. Idempotent. */
export async function deductQuota(trx: Db, order: Pick<Order, 'order_no' | 'ic_code' | 'insurer_fen'>, now: number): Promise<void> {
  const amountFen = Number(order.insurer_fen);
  if (amountFen <= 0) return;
  const memo = 'insurer quota deduction';
  const outcome = await postPending(trx, quotaHoldKey(order.order_no), { transferKey: quotaDeductionKey(order.order_no), memo, now });
  if (outcome !== 'posted')
    await transfer(trx, {
      key: quotaDeductionKey(order.order_no),
      from: Accounts.insurerQuota(order.ic_code),
      to: Accounts.quotaIssued,
      amountFen,
      orderNo: order.order_no,
      memo,
      now,
    });
}

/** Voids the order's holds (it closed unpaid). */
export async function releaseHolds(trx: Db, orderNo: string, now: number): Promise<void> {
  await voidPending(trx, quotaHoldKey(orderNo), now);
}
