// What the admin console calls: "refund this attempt" for a DOUBLE_PAYMENT / LATE_PAYMENT alert, "retry" for a failed
// refund, and "complete refund task" (refund.service.ts) for a refund the merchant's ledger could not cover. The
// `prepare…` halves run in the caller's transaction (the console audits them in it); the refund is carried on after.
import { inTransaction, type Trx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { findOrder } from '../order/order.repository.ts';
import { findAttempt } from '../payment/payment.repository.ts';
import { recordExtraPaymentRefund } from './refund.auto.ts';
import { providerRefFor, type RefundProviders } from './refund.providers.ts';
import { findRefund, refundOfAttempt, updateRefund } from './refund.repository.ts';
import { advanceRefund, recordOrderRefund, REFUND_RECOVERY_MS } from './refund.service.ts';
import type { Refund } from './refund.table.ts';

export { completeRefundTask, takeRefundTask } from './refund.service.ts';

/** A failed refund asked again under a new provider refund number (the failed one is final at the provider). */
function retrySet(deps: Deps, providers: RefundProviders, r: Refund, adminId: string) {
  const now = deps.clock.now();
  return {
    status: 'requested' as const,
    provider_ref: providerRefFor({ ...r, refund_no: newId('RF', now, deps.random) }, providers.sellerAppid),
    provider_status: null,
    provider_detail: null,
    poll_count: 0,
    next_poll_at: now + REFUND_RECOVERY_MS,
    finished_at: null,
    task_done_by: adminId.slice(0, 64),
    updated_at: now,
  };
}

/**
 * In the caller's transaction: the refund of a whole provider payment the order did not need (an attempt that
 * succeeded but is not the order's paid one): its automatic refund when there is one (a failed one is tried again
 * with a new provider number, its money still held), otherwise a new one. ZF0060 for an unknown attempt; ZF0228 for
 * an attempt that paid its order (refund that through the order instead) or did not succeed. Returns the refund no.
 */
export async function prepareAttemptRefund(trx: Trx, deps: Deps, providers: RefundProviders, attemptId: string, adminId: string) {
  const now = deps.clock.now();
  const attempt = (await findAttempt(trx, attemptId)) ?? fail('ZF0060');
  const order = (await findOrder(trx, attempt.order_no)) ?? fail('ZF0060');
  if (attempt.status !== 'succeeded' || attempt.method === 'balance' || attempt.method === 'insurer_only')
    fail('ZF0228', 'not an extra provider payment');
  if (order.paid_attempt_id === attempt.id && order.status !== 'paid_late') fail('ZF0228', 'the attempt paid its order');
  const existing = await refundOfAttempt(trx, attempt.id);
  if (existing?.status === 'failed') await updateRefund(trx, existing.refund_no, ['failed'], retrySet(deps, providers, existing, adminId));
  if (existing) return { refundNo: existing.refund_no, before: existing.status };
  const refundNo = await recordExtraPaymentRefund(trx, {
    attempt,
    partnerId: order.partner_id,
    alertKey: `MANUAL:${attempt.id}`,
    reason: `管理员退款（${adminId.slice(0, 32)}）`,
    now,
    random: deps.random,
  });
  return { refundNo, before: null };
}

/** {@link prepareAttemptRefund} in its own transaction, then the refund carried on. */
export async function refundAttempt(deps: Deps, providers: RefundProviders, attemptId: string, adminId: string): Promise<Refund> {
  const { refundNo } = await inTransaction(deps.db, (trx) => prepareAttemptRefund(trx, deps, providers, attemptId, adminId));
  return advanceRefund(deps, providers, refundNo);
}

/**
 * In the caller's transaction: a failed order refund asked again. Its ledger legs (keyed by its refund number) and its
 * provider number are spent, so the retry is a NEW refund of the same amount and reason under the number
 * `retry:<failed refund_no>` (a double click retries once), through the same {@link recordOrderRefund} limits (ZF0223 when
 * other refunds took the rest meanwhile) and split. ZF0228 when it did not fail; an extra payment's failed refund is
 * asked again in place ({@link prepareAttemptRefund}: its money is still held). Returns the refund to carry on.
 */
export async function prepareRefundRetry(trx: Trx, deps: Deps, providers: RefundProviders, refundNo: string, adminId: string) {
  const r = (await findRefund(trx, refundNo)) ?? fail('ZF0226');
  if (r.status !== 'failed') fail('ZF0228', `refund ${refundNo} is ${r.status}`);
  if (r.kind === 'extra_attempt') return { ...(await prepareAttemptRefund(trx, deps, providers, r.attempt_id, adminId)), created: true };
  const { refund, created } = await recordOrderRefund(trx, deps, {
    partnerId: r.partner_id,
    orderNo: r.order_no,
    partnerRefundNo: `retry:${r.refund_no}`,
    amountFen: Number(r.amount_fen),
    reason: r.reason,
    source: 'admin',
  });
  return { refundNo: refund.refund_no, before: r.status, created };
}
