// Extra payments and their automatic refunds (modules/payment `applySuccess` → modules/refund `recordExtraPaymentRefund`):
// a provider success the order did not need — after the order closed (LATE_PAYMENT, the order `paid_late`) or after
// another attempt paid it (DOUBLE_PAYMENT) — is answered in the same transaction by one `extra_attempt` refund of the
// whole attempt and its `refund:<no>:arrived` leg (world → refund_pending). The refund job then pays it back
// (`refund:<no>:selfpay`, refund_pending → world) or, when the provider refuses, leaves the money held (`held = 1`)
// with a REFUND_FAILED alert for an admin. Pure: the reconciliation gathers the facts.
import type { Order } from '../order/order.table.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';

export interface ExtraRefundFacts {
  refund_no: string;
  attempt_id: string;
  status: string;
  amount_fen: number;
  self_pay_fen: number;
  insurer_fen: number;
  held: number;
}

type Finding = { check: 'extra_refund'; detail: string };

/** The succeeded attempts the order did not need: all of a `paid_late` order's, the non-winners of a paid one. */
export function extraAttempts(order: Order, attempts: PaymentAttempt[]): PaymentAttempt[] {
  const succeeded = attempts.filter((a) => a.status === 'succeeded');
  if (order.status === 'paid_late') return succeeded;
  if (order.status === 'paid' || order.status === 'settled') return succeeded.filter((a) => a.id !== order.paid_attempt_id);
  return [];
}

/**
 * Every extra payment has exactly one refund of its whole amount with the money that arrived held for it, paid back
 * in full when it succeeded, still held (and raised) when it failed; no refund of this kind exists for anything else.
 */
export function extraPaymentRefunds(f: {
  order: Order;
  attempts: PaymentAttempt[];
  refunds: ExtraRefundFacts[];
  transfers: Array<{ key: string; amountFen: number }>;
  alertKinds: Set<string>;
}): Finding[] {
  const out: Finding[] = [];
  const extra = extraAttempts(f.order, f.attempts);
  const leg = (r: ExtraRefundFacts, name: string) => f.transfers.find((t) => t.key === `refund:${r.refund_no}:${name}`)?.amountFen;
  for (const a of extra) {
    const fen = Number(a.amount_fen);
    const what = `extra ${a.method} payment ${a.id} of ${fen}`;
    const refunds = f.refunds.filter((r) => r.attempt_id === a.id);
    if (refunds.length !== 1) {
      out.push({ check: 'extra_refund', detail: `${what}: ${refunds.length ? `${refunds.length} refunds` : 'no refund'} recorded` });
      continue;
    }
    const r = refunds[0]!;
    const amount = Number(r.amount_fen);
    if (amount !== fen || Number(r.self_pay_fen) !== fen || Number(r.insurer_fen) !== 0)
      out.push({
        check: 'extra_refund',
        detail: `${what}: refund ${r.refund_no} is of ${amount} (self-pay ${r.self_pay_fen}, insurer ${r.insurer_fen}), not ${fen}`,
      });
    if (leg(r, 'arrived') !== fen)
      out.push({ check: 'extra_refund', detail: `${what}: refund ${r.refund_no} holds ${leg(r, 'arrived') ?? 'nothing'}, not ${fen}` });
    const paidBack = leg(r, 'selfpay');
    if (r.status === 'succeeded') {
      if (paidBack !== fen || Number(r.held) !== 0)
        out.push({ check: 'extra_refund', detail: `${what}: refund ${r.refund_no} succeeded but paid back ${paidBack ?? 'nothing'}` });
    } else if (paidBack !== undefined) {
      out.push({ check: 'extra_refund', detail: `${what}: refund ${r.refund_no} is ${r.status} yet paid back ${paidBack}` });
    } else if (Number(r.held) !== 1) {
      out.push({ check: 'extra_refund', detail: `${what}: refund ${r.refund_no} is ${r.status} and its money no longer held` });
    } else if (r.status === 'failed' && !f.alertKinds.has('REFUND_FAILED')) {
      out.push({ check: 'extra_refund', detail: `${what}: refund ${r.refund_no} failed without a REFUND_FAILED alert` });
    }
  }
  for (const r of f.refunds)
    if (!extra.some((a) => a.id === r.attempt_id))
      out.push({
        check: 'extra_refund',
        detail: `refund ${r.refund_no} of ${r.amount_fen} for attempt ${r.attempt_id}, not an extra payment`,
      });
  return out;
}
