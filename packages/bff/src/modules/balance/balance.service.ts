// 余额支付: the wallet balance with a 6-digit PIN (hashed; locked after too many wrong tries), paid synchronously.
import type { PayResponse } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { InsufficientFunds } from '../../ledger/ledger.ts';
import { findOrder } from '../order/order.repository.ts';
import { toAttemptView, toOrderView } from '../order/order.view.ts';
import { orderForSession } from '../order/order.service.ts';
import { payInstantly, type InstantPayment } from '../payment/payment.instant.ts';
import { assertPayable, assertTripSuperseded, createAttempt, settleAfterPayment } from '../payment/payment.service.ts';
import { afterInlineSettlement, planInlineSettlement } from '../settlement/settlement.inline.ts';
import { checkPin } from './pin.ts';

/**
 * 余额支付: checks the 6-digit PIN (hashed; locked after too many wrong tries), then pays the self-pay share from
 * the wallet synchronously. Failures are shown to the user and not called back (SPEC §3.6).
 */
export async function payWithBalance(
  deps: Deps,
  session: Session,
  orderNo: string,
  pin: string,
  confirmSupersede?: boolean,
): Promise<PayResponse> {
  const { db, clock } = deps;
  const order = await orderForSession(db, session, orderNo);
  assertPayable(order, clock.now());
  await assertTripSuperseded(deps, db, orderNo, confirmSupersede);
  await checkPin(deps, session.userId, pin);

  const inline = await planInlineSettlement(deps, order);
  const now = clock.now();
  let paid: InstantPayment;
  try {
    paid = await inTransaction(db, (trx) => payInstantly(deps, trx, order, 'balance', { now, inline, confirmSupersede }));
  } catch (err) {
    if (!(err instanceof InsufficientFunds)) throw err;
    // The transaction rolled back; keep a failed attempt so the records show it (no callback).
    await inTransaction(db, async (trx) => {
      const fresh = await findOrder(trx, orderNo);
      if (fresh)
        await createAttempt(trx, fresh, 'balance', now, {
          status: 'failed',
          failure_reason: 'insufficient_balance',
          internal_reason: 'wallet balance below self-pay share',
        });
    });
    return fail('ZF0090', 'insufficient balance', { reason: 'insufficient_balance' });
  }
  let settled = paid.order;
  if (inline) await afterInlineSettlement(deps, settled, inline);
  else {
    await settleAfterPayment(deps, paid.attempt.id);
    settled = (await findOrder(db, orderNo)) ?? settled;
  }
  return { order: toOrderView(settled, paid.attempt, clock.now()), attempt: toAttemptView(paid.attempt) };
}
