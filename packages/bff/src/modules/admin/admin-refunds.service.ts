// Refunds from the console (finance): refund an order in full or in part, retry a failed refund, complete a refund
// parked because the merchant's ledger was short, refund an extra provider payment. Each goes through the refund
// module's own services (the same as the partner API's), its recording step audited in the same transaction; the
// provider is asked after the commit, as for the partner.
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { findOrder } from '../order/order.repository.ts';
import { prepareAttemptRefund, prepareRefundRetry, takeRefundTask } from '../refund/refund.admin.ts';
import { refundProviders } from '../refund/refund.integration.ts';
import { findRefund } from '../refund/refund.repository.ts';
import { advanceRefund, recordOrderRefund } from '../refund/refund.service.ts';
import type { Refund } from '../refund/refund.table.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { money } from './admin-views.ts';
import { auditedMutation } from './audit.ts';

/** The console's refund numbers live beside the partner's (per partner) under a prefix a partner's cannot have. */
export const adminRefundNo = (no: string) => `admin:${no}`;

export function refundAdminView(r: Refund) {
  return {
    refund_no: r.refund_no,
    partner_refund_no: r.partner_refund_no,
    order_no: r.order_no,
    partner_id: r.partner_id,
    kind: r.kind,
    attempt_id: r.attempt_id,
    method: r.method,
    amount: money(r.amount_fen),
    insurer: money(r.insurer_fen),
    self_pay: money(r.self_pay_fen),
    reason: r.reason,
    source: r.source,
    status: r.status,
    waiting_for_admin: r.task_status === 'open',
    task_status: r.task_status,
    task_done_by: r.task_done_by,
    provider_ref: r.provider_ref,
    provider_status: r.provider_status,
    provider_detail: r.provider_detail,
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    finished_at: r.finished_at === null ? null : Number(r.finished_at),
  };
}

const brief = (r: Refund) => ({ status: r.status, task_status: r.task_status, held: Number(r.held), amount_fen: Number(r.amount_fen) });

/** Carries the refund on after the commit; a provider that cannot be reached leaves it to the refund job. */
async function carryOn(deps: Deps, refundNo: string) {
  try {
    return refundAdminView(await advanceRefund(deps, refundProviders(deps), refundNo));
  } catch (err) {
    deps.logger.warn({ err, refund_no: refundNo }, 'admin refund: next step failed; the refund job retries it');
    return refundAdminView((await findRefund(deps.db, refundNo)) ?? fail('ZF0226'));
  }
}

/**
 * Refunds `amountFen` of an order (the refund service's limits: ZF0225 not settled, ZF0223 beyond what is left,
 * ZF0224 the refund number reused for another amount). The same refund number again answers the same refund, moves
 * nothing and writes no second audit row.
 */
export async function adminRefundOrder(
  deps: Deps,
  actor: AdminActor,
  orderNo: string,
  input: { amountFen: number; reason: string; refundNo: string },
) {
  const order = (await findOrder(deps.db, orderNo)) ?? fail('ZF0263', 'order');
  let refund: Refund | undefined;
  let created = false;
  await auditedMutation(deps, actor, 'refund.create', `order:${orderNo}`, async (trx) => {
    const out = await recordOrderRefund(trx, deps, {
      partnerId: order.partner_id,
      orderNo,
      partnerRefundNo: adminRefundNo(input.refundNo),
      amountFen: input.amountFen,
      reason: input.reason,
      source: 'admin',
    });
    refund = out.refund;
    created = out.created;
    if (!created) return null;
    return { before: null, after: { refund_no: out.refund.refund_no, ...brief(out.refund) }, note: input.reason, result: true };
  });
  if (!refund) return fail('ZF0226');
  return { created, refund: created ? await carryOn(deps, refund.refund_no) : refundAdminView(refund) };
}

/**
 * Retries a failed refund (ZF0228 when it did not fail): an order refund as a new refund `retry:<refund_no>` of the same
 * amount, an extra payment's in place under a new provider number. The same retry twice answers the same refund.
 */
export async function adminRetryRefund(deps: Deps, actor: AdminActor, refundNo: string) {
  const prior = (await findRefund(deps.db, refundNo)) ?? fail('ZF0226');
  let next = '';
  let created = false;
  await auditedMutation(deps, actor, 'refund.retry', `refund:${refundNo}`, async (trx) => {
    const out = await prepareRefundRetry(trx, deps, refundProviders(deps), refundNo, actor.username);
    next = out.refundNo;
    created = out.created;
    if (!created) return null;
    return { before: brief(prior), after: { refund_no: next, status: 'requested' }, result: true };
  });
  return { refund: created ? await carryOn(deps, next) : refundAdminView((await findRefund(deps.db, next)) ?? fail('ZF0226')) };
}

/** Completes a refund parked as a manual task (ZF0227 still short: nothing moves; ZF0228 no open task). */
export async function adminCompleteRefundTask(deps: Deps, actor: AdminActor, refundNo: string) {
  const prior = (await findRefund(deps.db, refundNo)) ?? fail('ZF0226');
  await auditedMutation(deps, actor, 'refund.complete_task', `refund:${refundNo}`, async (trx) => {
    const taken = await takeRefundTask(trx, deps, refundNo, actor.username);
    return { before: brief(prior), after: brief(taken), result: true };
  });
  return { refund: await carryOn(deps, refundNo) };
}

/** "Refund this attempt" (a DOUBLE_PAYMENT / LATE_PAYMENT): the extra provider payment's refund, made or retried. */
export async function adminRefundAttempt(deps: Deps, actor: AdminActor, attemptId: string) {
  let refundNo = '';
  await auditedMutation(deps, actor, 'refund.attempt', `attempt:${attemptId}`, async (trx) => {
    const out = await prepareAttemptRefund(trx, deps, refundProviders(deps), attemptId, actor.username);
    refundNo = out.refundNo;
    if (out.before !== null && out.before !== 'failed') return null;
    return {
      before: out.before === null ? null : { status: out.before },
      after: { refund_no: refundNo, status: 'requested' },
      result: true,
    };
  });
  return { refund: await carryOn(deps, refundNo) };
}
