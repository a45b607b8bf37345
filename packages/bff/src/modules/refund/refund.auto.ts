// Automatic refunds of provider money an order did not need (DOUBLE_PAYMENT: a second success on a paid order;
// LATE_PAYMENT: a success after the order closed): recorded inside the success path's transaction, carried out by the
// refund job (modules/refund/refund.service.ts) through the attempt's provider.
import type { Db } from '../../db/database.ts';
import { newId, type RandomSource } from '../../lib/ids.ts';
import { linkAlertToRefund } from '../alert/alert.repository.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import { holdArrived } from './refund.ledger.ts';
import { insertRefund, refundOfAttempt } from './refund.repository.ts';
import type { Refund } from './refund.table.ts';

/**
 * Records the refund of a whole extra attempt (once per attempt), the arrived money as held for it, and marks the
 * alert it answers. Returns the refund number.
 */
export async function recordExtraPaymentRefund(
  trx: Db,
  input: { attempt: PaymentAttempt; partnerId: string; alertKey: string; reason: string; now: number; random?: RandomSource },
): Promise<string> {
  const { attempt, now } = input;
  const prior = await refundOfAttempt(trx, attempt.id);
  if (prior) return prior.refund_no;
  const refund: Refund = {
    refund_no: newId('RF', now, input.random),
    order_no: attempt.order_no,
    partner_id: input.partnerId,
    partner_refund_no: `auto:${attempt.id}`,
    kind: 'extra_attempt',
    attempt_id: attempt.id,
    method: attempt.method,
    amount_fen: Number(attempt.amount_fen),
    insurer_fen: 0,
    self_pay_fen: Number(attempt.amount_fen),
    reason: input.reason,
    source: 'auto',
    status: 'requested',
    held: 1,
    task_status: 'none',
    provider_ref: null,
    provider_status: null,
    provider_detail: null,
    next_poll_at: now,
    poll_count: 0,
    task_done_by: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
    submitted_at: null,
    overdue_alerted_at: null,
  };
  await insertRefund(trx, refund);
  await holdArrived(trx, refund, now);
  await linkAlertToRefund(trx, input.alertKey, refund.refund_no);
  return refund.refund_no;
}
