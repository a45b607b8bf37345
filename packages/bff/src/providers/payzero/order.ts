// The order we send to Payzero: its input, the doc's limits checked before a request is spent, and its wire form.
import type { Clock } from '../../lib/clock.ts';
import { PayzeroError } from './errors.ts';
import { MCHT_ORDER_NO_PATTERN, SUBJECT_MAX_LENGTH, formatChinaDateTime } from './protocol.ts';

/** One card payment to request: our payment attempt, in fen. */
export interface PayzeroOrderInput {
  /** Our payment attempt's id: `[A-Za-z0-9_-]`, ≤ 30 chars, never reused (a retry is a new attempt). */
  mchtOrderNo: string;
  /** Positive integer fen. */
  paymentAmountFen: number;
  /** What is paid for, ≤ 200 chars. */
  subject: string;
  /**
   * The payer's bound card reference (card number or a masked form ending in its last 4 digits). Our extension of
   * the §2.6 order: the simulator decides the bank's behaviour from the last 4 digits (SPEC §10).
   */
  payerCardNo?: string;
  payerName?: string;
  payerNumber?: string;
  payerPhone?: string;
  /** When the order was placed (sent as `orderDatetime`, China time). */
  orderDatetimeMs?: number;
}

/** The JSON body of one order (§2.1, §2.6); throws `PayzeroError` kind `invalid_request` when it breaks a limit. */
export function wireOrder(
  order: PayzeroOrderInput,
  endpoint: string,
  clock: Clock,
  notifyUrl: string | undefined,
): Record<string, unknown> {
  const problem = orderProblem(order);
  if (problem) {
    throw new PayzeroError({ kind: 'invalid_request', endpoint, message: problem });
  }
  const wire: Record<string, unknown> = {
    currency: 'CNY',
    mchtOrderNo: order.mchtOrderNo,
    paymentAmount: order.paymentAmountFen,
    subject: order.subject,
    orderDatetime: formatChinaDateTime(order.orderDatetimeMs ?? clock.now()),
    notifyUrl,
    payerCardNo: order.payerCardNo,
    payerName: order.payerName,
    payerNumber: order.payerNumber,
    payerPhone: order.payerPhone,
  };
  for (const key of Object.keys(wire)) if (wire[key] === undefined) delete wire[key];
  return wire;
}

/** Why an order cannot be sent, or null. Same limits as the doc (§2.1), checked before spending a request. */
function orderProblem(order: PayzeroOrderInput): string | null {
  if (!MCHT_ORDER_NO_PATTERN.test(order.mchtOrderNo)) {
    return `mchtOrderNo must be 1-30 of [A-Za-z0-9_-]: ${JSON.stringify(order.mchtOrderNo)}`;
  }
  if (!Number.isSafeInteger(order.paymentAmountFen) || order.paymentAmountFen <= 0) {
    return `paymentAmountFen must be a positive integer: ${order.paymentAmountFen}`;
  }
  if (order.subject.length === 0 || order.subject.length > SUBJECT_MAX_LENGTH) {
    return `subject must be 1-${SUBJECT_MAX_LENGTH} characters`;
  }
  return null;
}
