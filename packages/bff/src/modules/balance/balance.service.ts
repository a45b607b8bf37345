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
import { getAttempt } from '../payment/payment.repository.ts';
import {
  applySuccess,
  assertNoCardInFlight,
  assertPayable,
  assertTripSuperseded,
  createAttempt,
  settleAfterPayment,
} from '../payment/payment.service.ts';
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

  const now = clock.now();
  let attemptId: string | null = null;
  try {
    await inTransaction(db, async (trx) => {
      const fresh = await findOrder(trx, orderNo);
      if (!fresh) return fail('ZF0060');
      assertPayable(fresh, now);
      await assertNoCardInFlight(trx, orderNo, deps.dialect === 'mysql');
      await assertTripSuperseded(deps, trx, orderNo, confirmSupersede);
      const attempt = await createAttempt(trx, fresh, 'balance', now, { status: 'submitted', submitted_at: now });
      attemptId = attempt.id;
      // Lost a race with another attempt: roll the whole transaction back (no attempt, no alert, no money).
      if ((await applySuccess(deps, trx, attempt.id, null, now)) !== 'paid') fail('ZF0080');
    });
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
  if (attemptId) await settleAfterPayment(deps, attemptId);
  const paid = await findOrder(db, orderNo);
  const attempt = await getAttempt(db, attemptId ?? '');
  return { order: toOrderView(paid ?? order, attempt, clock.now()), attempt: toAttemptView(attempt) };
}
