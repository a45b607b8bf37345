// How an order and its attempts look to the H5: `display` is what the user sees.
import type { AttemptView, OrderView } from '@zf/shared';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import type { Order } from './order.table.ts';

export function orderIsExpired(order: Pick<Order, 'status' | 'deadline_at'>, now: number): boolean {
  return order.status === 'open' && Number(order.deadline_at) <= now;
}

/**
 * True when an order was made for this claim and amount (hole 3): a link or session for another claim or amount on
 * the same refer_no gets ZF0180 instead of the order.
 */
export function sameBill(order: Pick<Order, 'claim_no' | 'amount_fen'>, bill: { claimNo: string; amountFen: number }): boolean {
  return order.claim_no === bill.claimNo && Number(order.amount_fen) === bill.amountFen;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** An attempt as the H5 shows it; `cardLast4` when the caller looked the card up (payment records). */
export function toAttemptView(a: PaymentAttempt, cardLast4: string | null = null): AttemptView {
  const final = a.status === 'succeeded' || a.status === 'failed';
  return {
    id: a.id,
    method: a.method,
    status: a.status,
    amount_fen: Number(a.amount_fen),
    failure_reason: a.failure_reason,
    created_at: new Date(Number(a.created_at)).toISOString(),
    card_last4: cardLast4,
    transaction_no: a.provider_trade_no,
    finished_at: final ? iso(a.updated_at) : null,
  };
}

/** The H5's view of an order; `display` is what the user sees. */
export function toOrderView(order: Order, attempt: PaymentAttempt | undefined, now: number, cardLast4: string | null = null): OrderView {
  let display: OrderView['display'];
  if (order.status === 'paid' || order.status === 'settled' || order.status === 'paid_late') display = 'paid';
  else if (order.status === 'closed' || orderIsExpired(order, now)) display = 'closed';
  else if (attempt && (attempt.status === 'submitted' || attempt.status === 'pending_bank' || attempt.status === 'created'))
    display = 'processing';
  else if (attempt && attempt.status === 'failed') display = 'failed';
  else display = 'unpaid';
  return {
    order_no: order.order_no,
    refer_no: order.refer_no,
    claim_no: order.claim_no,
    policy_no: order.policy_no,
    insurer_name: order.insurer_name,
    status: order.status,
    display,
    amount_fen: Number(order.amount_fen),
    insurer_fen: Number(order.insurer_fen),
    self_pay_fen: Number(order.self_pay_fen),
    deadline_at: iso(order.deadline_at) ?? '',
    paid_at: iso(order.paid_at),
    created_at: iso(order.created_at) ?? '',
    last_attempt: attempt ? toAttemptView(attempt, cardLast4) : null,
    partner_id: order.partner_id,
  };
}
