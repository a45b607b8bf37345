// 绑卡支付 through Payzero QuickPay (SPEC §3.6): submitting a card payment, the bank result (signed notify or polling),
// and the 5-second rule (`timeout` callback when no result has arrived 5 s after submission).
//
// Which failures the partner hears of (SPEC §3.6 "local failures are shown, no callback"; §3.9 "each final attempt
// result is called back"):
// - decided while answering the pay request, before any bank result exists — no such card for this user (ZF0150),
//   order not payable, and Payzero refusing the order synchronously (50001/50010 no usable signed card, 50056 card
//   quota, 50054, a 4xx) — are LOCAL: shown to the user (ZF0090 + reason), attempt `failed`, no callback, because the
//   payment never reached the bank and the user simply picks another card or method (like a short wallet balance);
// - the bank's result (PAY_FAILED / PAY_CANCELLED by notify or poll), or any failure decided after the partner was
//   told `timeout`, is CALLED BACK (`failed`, ZF0090).
//
// One card payment in flight per order: a new one is refused with ZF0170 while another card attempt of the order is
// `submitted` or `pending_bank` (checked under the order row's lock). Attempts of different methods may still race;
// the order's conditional open → paid change lets only one succeed (a second success is DOUBLE_PAYMENT).
import { formatYuan, type CardPayRequest, type PayResponse } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { newId } from '../../lib/ids.ts';
import {
  PAYZERO_POLL_SCHEDULE_MS,
  PayzeroError,
  mapPayzeroFailure,
  type PayzeroClient,
  type PayzeroFailure,
} from '../../providers/payzero/client.ts';
import { findOrder, lockOrder } from '../order/order.repository.ts';
import { orderForSession } from '../order/order.service.ts';
import { toAttemptView, toOrderView } from '../order/order.view.ts';
import { getAttempt, markFailed } from '../payment/payment.repository.ts';
import { checkPin } from '../balance/pin.ts';
import { assertNoCardInFlight, assertPayable, assertTripSuperseded, createAttempt, recordFailure } from '../payment/payment.service.ts';
import { findUserCard } from './card.repository.ts';

/**
 * Pays the order's self-pay share with one of the user's bound cards: creates the attempt (`submitted`, its id is
 * the `mchtOrderNo`) and asks Payzero to create and pay it. Answers the order and the `submitted` attempt; the result
 * comes later (notify or poll). ZF0060/0070/0080 for the order, ZF0150 for a card that is not the user's, the PIN's
 * ZF0090 (wrong_pin) / ZF0110 / ZF0203, ZF0200 for an unconfirmed pending Guanaitong trip, ZF0170
 * while another card payment of the order is in flight, ZF0090 (+ reason) when Payzero refuses synchronously.
 * A network error or 5xx leaves the outcome unknown: the attempt stays `submitted` and polling finds out.
 */
export async function payByCard(
  deps: Deps,
  client: PayzeroClient,
  session: Session,
  orderNo: string,
  request: CardPayRequest,
): Promise<PayResponse> {
  const { db, clock } = deps;
  const order = await orderForSession(db, session, orderNo);
  assertPayable(order, clock.now());
  const card = await findUserCard(db, session.userId, request.card_id);
  if (!card) return fail('ZF0150', 'no such bound card for this user');
  await assertTripSuperseded(deps, db, orderNo, request.confirm_supersede);
  // The second factor: every card payment is confirmed with the payment PIN (the balance module's one check).
  await checkPin(deps, session.userId, request.pin);

  const now = clock.now();
  const mchtOrderNo = newId('PA', now, deps.random);
  const attempt = await inTransaction(db, async (trx) => {
    // The order row's lock serializes pay requests of one order (MySQL; SQLite runs one transaction at a time).
    const fresh = await lockOrder(trx, orderNo, deps.dialect === 'mysql');
    if (!fresh) return fail('ZF0060');
    assertPayable(fresh, now);
    await assertNoCardInFlight(trx, orderNo, deps.dialect === 'mysql');
    await assertTripSuperseded(deps, trx, orderNo, request.confirm_supersede);
    // Removed meanwhile? The card row's lock (MySQL) orders this against DELETE /api/cards/:id.
    if (!(await findUserCard(trx, session.userId, card.id, deps.dialect === 'mysql'))) fail('ZF0150', 'card removed');
    return createAttempt(trx, fresh, 'card', now, {
      id: mchtOrderNo,
      status: 'submitted',
      card_id: card.id,
      provider_ref: mchtOrderNo,
      submitted_at: now,
      next_poll_at: now + (PAYZERO_POLL_SCHEDULE_MS[0] ?? 2_000),
    });
  });

  try {
    await client.createAndPay({
      mchtOrderNo,
      paymentAmountFen: Number(attempt.amount_fen),
      subject: `商保直付自付-${order.order_no}`,
      payerCardNo: card.token,
      payerName: card.holder_name,
      orderDatetimeMs: now,
    });
    deps.logger.info(
      { attempt_id: attempt.id, order_no: orderNo, amount: formatYuan(Number(attempt.amount_fen)) },
      'card payment submitted to payzero',
    );
  } catch (err) {
    if (err instanceof PayzeroError && !err.retryable && err.kind !== 'malformed') {
      const failure = mapPayzeroFailure(err);
      await failSubmission(deps, attempt.id, failure);
      return fail('ZF0090', failure.internal, { reason: failure.reason });
    }
    // No answer, a 5xx or an unreadable one: Payzero may or may not have the order. Polling finds out.
    deps.logger.warn({ err, attempt_id: attempt.id, order_no: orderNo }, 'card payment outcome unknown; polling will resolve it');
  }
  return payResponse(deps, orderNo, attempt.id);
}

async function payResponse(deps: Deps, orderNo: string, attemptId: string): Promise<PayResponse> {
  const order = await findOrder(deps.db, orderNo);
  const attempt = await getAttempt(deps.db, attemptId);
  if (!order) return fail('ZF0060');
  return { order: toOrderView(order, attempt, deps.clock.now()), attempt: toAttemptView(attempt) };
}

/**
 * A synchronous refusal: local (no callback) while the attempt is still `submitted`. Should the 5 s rule have fired
 * meanwhile (a slow answer), the partner was told `timeout` and so hears the failure too.
 */
async function failSubmission(deps: Deps, attemptId: string, failure: PayzeroFailure): Promise<void> {
  const now = deps.clock.now();
  if (await markFailed(deps.db, attemptId, failure.reason, failure.internal, now, ['submitted'])) {
    deps.logger.info(
      { attempt_id: attemptId, reason: failure.reason, internal: failure.internal },
      'card payment refused by payzero (local, no callback)',
    );
    return;
  }
  await recordFailure(deps, attemptId, failure.reason, failure.internal, true);
}
