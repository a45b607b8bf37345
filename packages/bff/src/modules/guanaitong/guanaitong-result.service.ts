// 关爱通 results: the browser's return (never settles), the verified notify that alone settles, and the job that fails
// attempts no notify ever came for.
import { formatYuan } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import {
  GuanaitongVerifyError,
  type GuanaitongClient,
  type GuanaitongNotify,
  type GuanaitongReturn,
} from '../../providers/guanaitong/client.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { findAttemptByProviderRef, recordNotification, staleAttempts } from '../payment/payment.repository.ts';
import { recordFailure, recordProviderSuccess } from '../payment/payment.service.ts';
import { GUANAITONG_STALE_AFTER_DEADLINE_MS, h5Url } from './guanaitong-trip.ts';

// ---- 4. return_url ------------------------------------------------------------------------------------------------

const ORDER_NO = /^[A-Za-z0-9]{1,32}$/;

/**
 * The browser is back from Guanaitong. `pay_result=success` changes nothing (only the notify settles); a verified
 * `pay_result=fail` (the user cancelled at Guanaitong's cashier) fails the attempt locally, no callback. Answers the
 * H5 result page of the order, which polls it.
 */
export async function handleGuanaitongReturn(deps: Deps, client: GuanaitongClient, query: Record<string, string>): Promise<string> {
  let verified: GuanaitongReturn | null = null;
  try {
    verified = client.verifyReturnParams(query);
  } catch (err) {
    if (!(err instanceof GuanaitongVerifyError)) throw err;
    deps.logger.warn(
      { reason: err.reason, outer_trade_no: query.outer_trade_no, order_no: query.order_no },
      'guanaitong return not verified; showing the result page only',
    );
  }
  const attempt = verified ? await findAttemptByProviderRef(deps.db, 'guanaitong', verified.outerTradeNo) : undefined;
  if (verified?.payResult === 'fail' && attempt?.status === 'submitted') {
    await recordFailure(deps, attempt.id, 'cancelled', 'pay_result=fail on the return (cancelled at the guanaitong cashier)', false);
  }
  const orderNo = query.order_no !== undefined && ORDER_NO.test(query.order_no) ? query.order_no : (attempt?.order_no ?? null);
  return orderNo === null ? h5Url(deps, 'orders', {}) : h5Url(deps, 'pay-result', { order_no: orderNo });
}

// ---- 5. notify_url ------------------------------------------------------------------------------------------------

/**
 * Applies a verified notify (signature, timestamp and appid were checked by the handler): `fail` for an unknown
 * outer_trade_no, or an amount or trade_no that does not match the attempt (alerted, nothing changed); otherwise
 * records it once per trade_no and settles through the one success path, answering `success` (replays too).
 */
export async function handleGuanaitongNotify(deps: Deps, notify: GuanaitongNotify): Promise<'success' | 'fail'> {
  const { db, clock, logger } = deps;
  const log = { outer_trade_no: notify.outerTradeNo, trade_no: notify.tradeNo, total_amount: notify.totalAmount };
  const attempt = await findAttemptByProviderRef(db, 'guanaitong', notify.outerTradeNo);
  if (!attempt) {
    logger.warn(log, 'guanaitong notify for an unknown outer_trade_no; refused');
    return 'fail';
  }
  const tradeMismatch = attempt.provider_trade_no !== null && attempt.provider_trade_no !== notify.tradeNo;
  if (Number(attempt.amount_fen) !== notify.totalFen || tradeMismatch) {
    const detail = tradeMismatch
      ? `guanaitong notify trade_no ${notify.tradeNo} differs from ${attempt.provider_trade_no} of attempt ${attempt.id}; refused`
      : `guanaitong notify of ${notify.totalAmount} for attempt ${attempt.id} of ${formatYuan(Number(attempt.amount_fen))}; refused`;
    await raiseAlert(db, logger, {
      kind: 'PAYMENT_AMOUNT_MISMATCH',
      dedupeKey: `PAYMENT_AMOUNT_MISMATCH:guanaitong:${notify.tradeNo}:${notify.totalFen}`.slice(0, 128),
      orderNo: attempt.order_no,
      amountFen: notify.totalFen,
      detail,
      now: clock.now(),
    });
    return 'fail';
  }
  // A resend or replay is already recorded. The success path below is idempotent, so it runs again harmlessly
  // (and finishes the job if the first delivery crashed between the two).
  await recordNotification(db, {
    provider: 'guanaitong',
    dedupeKey: `guanaitong:${notify.tradeNo}`,
    attemptId: attempt.id,
    payload: notify,
    now: clock.now(),
    random: deps.random,
  });
  const outcome = await recordProviderSuccess(deps, attempt.id, notify.tradeNo, attempt.order_no);
  logger.info({ ...log, attempt_id: attempt.id, order_no: attempt.order_no, outcome }, 'guanaitong notify applied');
  return 'success';
}

// ---- the job ------------------------------------------------------------------------------------------------------

/**
 * Fails Guanaitong attempts still `submitted` an hour after their order's deadline: Guanaitong notifies only paid
 * trades, so these were abandoned at its login or cashier. Local failure, no callback (the order has closed and
 * the partner was told). Should a success notify still come, it pays all the same (paid_late + LATE_PAYMENT).
 */
export async function failStaleGuanaitongAttempts(deps: Deps, limit = 100): Promise<number> {
  const cutoff = deps.clock.now() - GUANAITONG_STALE_AFTER_DEADLINE_MS;
  const stale = await staleAttempts(deps.db, 'guanaitong', cutoff, limit);
  let failed = 0;
  for (const { id } of stale) {
    if (await recordFailure(deps, id, 'provider_error', 'no guanaitong notify by the order deadline + 1 h', false)) failed++;
  }
  return failed;
}
