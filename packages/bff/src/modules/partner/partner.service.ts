// What the partner's server API answers: its orders (state, amounts, attempts, refunds, last callback seq) and its
// refunds, only ever the partner's own.
import { formatYuan, parseYuan, type PartnerOrderView, type RefundRequest, type RefundView } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { findOrder, ordersOfReferNo } from '../order/order.repository.ts';
import type { Order } from '../order/order.table.ts';
import { attemptsOfOrder } from '../payment/payment.repository.ts';
import { refundProviders } from '../refund/refund.integration.ts';
import { findPartnerRefund, findRefund, refundsOfOrder } from '../refund/refund.repository.ts';
import { requestOrderRefund } from '../refund/refund.service.ts';
import type { Refund } from '../refund/refund.table.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function refundView(r: Refund): RefundView {
  return {
    refund_no: r.refund_no,
    partner_refund_no: r.partner_refund_no,
    order_no: r.order_no,
    kind: r.kind,
    amount: formatYuan(r.amount_fen),
    insurer_amount: formatYuan(r.insurer_fen),
    self_pay_amount: formatYuan(r.self_pay_fen),
    method: r.method,
    status: r.status,
    waiting_for_admin: r.task_status === 'open',
    provider_status: r.provider_status,
    reason: r.reason,
    created_at: new Date(Number(r.created_at)).toISOString(),
    finished_at: iso(r.finished_at),
  };
}

async function orderView(deps: Deps, order: Order): Promise<PartnerOrderView> {
  const attempts = await attemptsOfOrder(deps.db, order.order_no);
  const refunds = await refundsOfOrder(deps.db, order.order_no);
  const paid = attempts.find((a) => a.id === order.paid_attempt_id);
  const refunded = refunds.filter((r) => r.kind === 'order' && r.status === 'succeeded').reduce((sum, r) => sum + Number(r.amount_fen), 0);
  return {
    order_no: order.order_no,
    refer_no: order.refer_no,
    status: order.status,
    amount: formatYuan(order.amount_fen),
    insurer_amount: formatYuan(order.insurer_fen),
    self_pay_amount: formatYuan(order.self_pay_fen),
    refunded_amount: formatYuan(refunded),
    method: paid?.method ?? null,
    deadline_at: new Date(Number(order.deadline_at)).toISOString(),
    paid_at: iso(order.paid_at),
    created_at: new Date(Number(order.created_at)).toISOString(),
    attempts: attempts.map((a) => ({
      id: a.id,
      method: a.method,
      amount: formatYuan(a.amount_fen),
      status: a.status,
      failure_reason: a.failure_reason,
      created_at: new Date(Number(a.created_at)).toISOString(),
    })),
    refunds: refunds.map(refundView),
    last_callback_seq: Number(order.next_seq) - 1,
  };
}

/** One order of the partner; ZF0060 for an unknown order or another partner's. */
export async function partnerOrder(deps: Deps, partnerId: string, orderNo: string): Promise<PartnerOrderView> {
  const order = await findOrder(deps.db, orderNo);
  if (!order || order.partner_id !== partnerId) return fail('ZF0060');
  return orderView(deps, order);
}

/** Every order of the partner under a refer_no, newest first (a closed order and its successor share it). */
export async function partnerOrdersOfRefer(deps: Deps, partnerId: string, referNo: string): Promise<PartnerOrderView[]> {
  const orders = await ordersOfReferNo(deps.db, partnerId, referNo, 20);
  return Promise.all(orders.map((o) => orderView(deps, o)));
}

/** Asks for a refund of the partner's order (see refund.service.ts). */
export async function partnerRequestRefund(
  deps: Deps,
  partnerId: string,
  req: RefundRequest,
): Promise<{ refund: RefundView; created: boolean }> {
  const amountFen = parseYuan(req.amount);
  if (amountFen === null || amountFen <= 0) return fail('ZF0010', 'amount');
  const prior = await findPartnerRefund(deps.db, partnerId, req.partner_refund_no);
  const refund = await requestOrderRefund(deps, refundProviders(deps), {
    partnerId,
    orderNo: req.order_no,
    partnerRefundNo: req.partner_refund_no,
    amountFen,
    reason: req.reason,
    source: 'partner',
  });
  return { refund: refundView(refund), created: !prior };
}

/** A refund of the partner by our refund_no or its own partner_refund_no; ZF0226 otherwise. */
export async function partnerRefund(deps: Deps, partnerId: string, no: string): Promise<RefundView> {
  const refund = (await findPartnerRefund(deps.db, partnerId, no)) ?? (await findRefund(deps.db, no));
  if (!refund || refund.partner_id !== partnerId) return fail('ZF0226');
  return refundView(refund);
}
