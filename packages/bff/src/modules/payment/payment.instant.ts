// The success path of a payment decided inside its own transaction (the wallet balance, the insurer paying all):
// the attempt is written succeeded, the order goes open → paid — or, when settlement runs in the same transaction,
// straight to settled with its `paid` callback — and the self-pay share moves, all in the caller's transaction.
// Provider successes (card, Guanaitong) arrive later for an attempt already written and go through applySuccess.
import type { Db } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { Accounts, transfer } from '../../ledger/ledger.ts';
import { findOrder, payOpenOrder } from '../order/order.repository.ts';
import type { Order } from '../order/order.table.ts';
import { settleInTransaction, type InlineSettlement } from '../settlement/settlement.inline.ts';
import { inFlightAttempts } from './payment.repository.ts';
import { assertPayable, createAttempt } from './payment.service.ts';
import type { PaymentAttempt, PaymentAttemptTable } from './payment.table.ts';

/**
 * ZF0170 while a card payment of the order waits for the bank, ZF0200 while a Guanaitong trip is in flight unless the
 * user confirmed paying another way: one read of the order's in-flight attempts (MySQL: under their row locks).
 */
export async function assertNothingInFlight(deps: Deps, trx: Db, orderNo: string, confirmed: boolean | undefined): Promise<void> {
  const inFlight = await inFlightAttempts(trx, orderNo, deps.dialect === 'mysql');
  const card = inFlight.find((a) => a.method === 'card');
  if (card) fail('ZF0170', `card attempt ${card.id} still in flight`);
  const trip = inFlight.find((a) => a.method === 'guanaitong');
  if (!trip) return;
  if (!confirmed) fail('ZF0200', `guanaitong attempt ${trip.id} in flight`);
  deps.logger.warn(
    { order_no: orderNo, guanaitong_attempt: trip.id },
    'paying another way while a guanaitong trip is in flight (user confirmed)',
  );
}

export interface InstantPayment {
  /** The order as it is now (paid, or settled when settlement ran in the transaction). */
  order: Order;
  attempt: PaymentAttempt;
}

/**
 * Pays `order` (read earlier in this request) by a new attempt inside the caller's transaction; `inline` settles it
 * there too. ZF0080 / ZF0070 when the order is no longer payable (the transaction must roll back), ZF0170 / ZF0200
 * as {@link assertNothingInFlight}; InsufficientFunds from the self-pay transfer (roll back).
 */
export async function payInstantly(
  deps: Deps,
  trx: Db,
  order: Order,
  method: Extract<PaymentAttemptTable['method'], 'balance' | 'insurer_only'>,
  opts: { now: number; inline: InlineSettlement | null; confirmSupersede?: boolean },
): Promise<InstantPayment> {
  const { now, inline } = opts;
  const attemptId = newId('PA', now);
  // The one conditional update that only one attempt can win; the order read before is current unless it fails.
  let current = order;
  for (let tries = 0; ; tries++) {
    const seq = Number(current.next_seq);
    if (await payOpenOrder(trx, order.order_no, attemptId, { now, settled: inline !== null, seq })) break;
    const fresh = await findOrder(trx, order.order_no);
    if (!fresh) return fail('ZF0060');
    assertPayable(fresh, now);
    // Still open: only its seq moved (an event of the order was queued meanwhile); try again with the row as it is.
    if (tries >= 3) fail('ZF0080', 'order changed while paying');
    current = fresh;
  }
  await assertNothingInFlight(deps, trx, order.order_no, opts.confirmSupersede);
  const attempt = await createAttempt(trx, current, method, now, { id: attemptId, status: 'succeeded', submitted_at: now });
  const seq = Number(current.next_seq);
  const paid: Order = {
    ...current,
    status: inline ? 'settled' : 'paid',
    paid_at: now,
    paid_attempt_id: attemptId,
    settlement_step: inline ? 'notified' : 'pending',
    next_seq: inline ? seq + 1 : seq,
    updated_at: now,
  };
  if (Number(attempt.amount_fen) > 0) {
    await transfer(trx, {
      key: `order:${order.order_no}:selfpay`,
      from: method === 'balance' ? Accounts.userWallet(order.user_id) : Accounts.world,
      to: Accounts.merchant(order.partner_id),
      amountFen: Number(attempt.amount_fen),
      orderNo: order.order_no,
      memo: `self-pay by ${method}`,
      now,
    });
  }
  if (inline) await settleInTransaction(deps, trx, paid, inline, now, { seq, method });
  return { order: paid, attempt };
}
