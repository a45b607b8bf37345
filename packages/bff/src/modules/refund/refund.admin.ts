// What the admin console (branch `admin`) calls: "refund this attempt" for a DOUBLE_PAYMENT / LATE_PAYMENT alert,
// and "complete refund task" (re-exported from refund.service.ts) for a refund the merchant's ledger could not cover.
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { findOrder } from '../order/order.repository.ts';
import { findAttempt } from '../payment/payment.repository.ts';
import { recordExtraPaymentRefund } from './refund.auto.ts';
import { providerRefFor, type RefundProviders } from './refund.providers.ts';
import { refundOfAttempt, updateRefund } from './refund.repository.ts';
import { advanceRefund } from './refund.service.ts';
import type { Refund } from './refund.table.ts';

export { completeRefundTask } from './refund.service.ts';

/**
 * Refunds a whole provider payment the order did not need (an attempt that succeeded but is not the order's paid
 * one): its automatic refund when there is one (a failed one is tried again with a new provider number, its money
 * still held), otherwise a new one. ZF0060 for an unknown attempt; ZF0228 for an attempt that paid its order (refund
 * that through the order instead) or did not succeed.
 */
export async function refundAttempt(deps: Deps, providers: RefundProviders, attemptId: string, adminId: string): Promise<Refund> {
  const now = deps.clock.now();
  const attempt = (await findAttempt(deps.db, attemptId)) ?? fail('ZF0060');
  const order = (await findOrder(deps.db, attempt.order_no)) ?? fail('ZF0060');
  if (attempt.status !== 'succeeded' || attempt.method === 'balance' || attempt.method === 'insurer_only')
    fail('ZF0228', 'not an extra provider payment');
  if (order.paid_attempt_id === attempt.id && order.status !== 'paid_late') fail('ZF0228', 'the attempt paid its order');
  const existing = await refundOfAttempt(deps.db, attempt.id);
  if (existing?.status === 'failed') {
    // A new provider refund number: the failed one is final at the provider.
    const providerRef = providerRefFor({ ...existing, refund_no: newId('RF', now, deps.random) }, providers.sellerAppid);
    const retry = {
      status: 'requested' as const,
      provider_ref: providerRef,
      provider_status: null,
      provider_detail: null,
      poll_count: 0,
      next_poll_at: now,
      finished_at: null,
      task_done_by: adminId.slice(0, 64),
      updated_at: now,
    };
    await updateRefund(deps.db, existing.refund_no, ['failed'], retry);
  }
  const refundNo =
    existing?.refund_no ??
    (await inTransaction(deps.db, (trx) =>
      recordExtraPaymentRefund(trx, {
        attempt,
        partnerId: order.partner_id,
        alertKey: `MANUAL:${attempt.id}`,
        reason: `管理员退款（${adminId.slice(0, 32)}）`,
        now,
        random: deps.random,
      }),
    ));
  return advanceRefund(deps, providers, refundNo);
}
