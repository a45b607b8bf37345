// What one order must look like in each state: its attempts, its exact transfers and holds, its final callback.
// Pure functions over the facts the reconciliation gathered, so each rule is tested without a database.
import type { Order } from '../order/order.table.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';

export interface OrderFacts {
  order: Order;
  attempts: PaymentAttempt[];
  transfers: Array<{ key: string; amountFen: number }>;
  holds: Array<{ key: string; status: string }>;
  finalCallbacks: Array<{ id: string; event: string; status: string }>;
  /** The parked insurer share (a manual clearing task), when there is one. */
  clearingTaskFen: number | null;
  /** The parked share was paid by hand (the task is done): its transfer carries the original key. */
  clearingTaskDone?: boolean;
  alertKinds: Set<string>;
  /** Callback event ids a CALLBACK_DEAD alert was raised for. */
  deadAlerts: Set<string>;
}

type Finding = { check: string; detail: string };

/** The transfers a settled order must have, exactly: key → amount. */
function settledTransfers(f: OrderFacts): Map<string, number> {
  const { order } = f;
  const no = order.order_no;
  const x = Number(order.insurer_fen);
  const y = Number(order.self_pay_fen);
  const want = new Map<string, number>();
  if (y > 0) want.set(`order:${no}:selfpay`, y);
  if (x > 0) {
    want.set(`order:${no}:quota`, x);
    want.set(`order:${no}:coverage`, x);
    // Parked in a task: no insurer transfer until an admin completes it, under the original key.
    if (f.clearingTaskFen === null || f.clearingTaskDone) want.set(`order:${no}:insurer`, x);
  }
  return want;
}

/** Every difference between the order's facts and its state. */
export function expectedTransfers(f: OrderFacts): Finding[] {
  const out: Finding[] = [];
  const { order } = f;
  const succeeded = f.attempts.filter((a) => a.status === 'succeeded');
  const paidStates = ['paid', 'settled'];

  // The state against the attempts.
  if (paidStates.includes(order.status)) {
    const winner = succeeded.find((a) => a.id === order.paid_attempt_id);
    if (!winner) out.push({ check: 'order_state', detail: `${order.status} without its succeeded attempt ${order.paid_attempt_id}` });
    else if (Number(winner.amount_fen) !== Number(order.self_pay_fen))
      out.push({ check: 'order_state', detail: `paid attempt ${winner.id} of ${winner.amount_fen}, self-pay is ${order.self_pay_fen}` });
    const extra = succeeded.filter((a) => a.id !== order.paid_attempt_id);
    if (extra.length && !f.alertKinds.has('DOUBLE_PAYMENT'))
      out.push({ check: 'order_state', detail: `${extra.length} more succeeded attempt(s) without DOUBLE_PAYMENT` });
  } else if (order.status === 'paid_late') {
    if (!succeeded.length || !f.alertKinds.has('LATE_PAYMENT'))
      out.push({ check: 'order_state', detail: 'paid_late without a succeeded attempt and its LATE_PAYMENT alert' });
  } else if (succeeded.length) {
    out.push({ check: 'order_state', detail: `${order.status} with ${succeeded.length} succeeded attempt(s)` });
  }
  if (order.status === 'paid' && order.settlement_step !== 'notified')
    out.push({ check: 'settlement', detail: `paid, settlement stopped at ${order.settlement_step}` });

  // Exactly its transfers (settled); none otherwise — the money of a late payment is held for its automatic refund
  // under the refund's own legs (`refund:<no>:…`), never paid to the merchant as the order's self-pay.
  const want = order.status === 'settled' ? settledTransfers(f) : new Map<string, number>();
  // A refund's legs (`refund:<no>:<leg>`) are the refund module's, not the order's payment: left out here.
  const got = new Map(f.transfers.filter((t) => !t.key.startsWith('refund:')).map((t) => [t.key, t.amountFen]));
  for (const [key, amount] of want)
    if (got.get(key) !== amount) out.push({ check: 'transfers', detail: `missing or wrong ${key}: ${got.get(key) ?? 'none'} ≠ ${amount}` });
  for (const [key, amount] of got) if (!want.has(key)) out.push({ check: 'transfers', detail: `unexpected ${key} of ${amount}` });
  if (
    order.status === 'settled' &&
    Number(order.insurer_fen) > 0 &&
    f.clearingTaskFen !== null &&
    f.clearingTaskFen !== Number(order.insurer_fen)
  ) {
    out.push({ check: 'transfers', detail: `clearing task of ${f.clearingTaskFen}, insurer share is ${order.insurer_fen}` });
  }

  // Holds: only an open order keeps live ones.
  const live = f.holds.filter((h) => h.status === 'pending');
  if (order.status !== 'open' && live.length)
    out.push({ check: 'holds', detail: `${order.status} with live hold(s) ${live.map((h) => h.key).join(', ')}` });

  // The final word to the partner: delivered, or dead and raised.
  if (order.status === 'settled' || order.status === 'closed') {
    const final = f.finalCallbacks.find((c) => c.event === (order.status === 'settled' ? 'paid' : 'closed'));
    if (!final) out.push({ check: 'callback', detail: `no final ${order.status === 'settled' ? 'paid' : 'closed'} callback` });
    else if (final.status !== 'delivered' && !(final.status === 'dead' && f.deadAlerts.has(final.id)))
      out.push({ check: 'callback', detail: `final callback ${final.id} is ${final.status}` });
  }
  return out;
}
