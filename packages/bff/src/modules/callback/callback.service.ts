// The partner-callback outbox (SPEC §4): events are written in the same transaction as the state change they report.
import { formatYuan, type CallbackEvent, type CallbackPayload, type ErrorCode } from '@zf/shared';
import type { Db } from '../../db/database.ts';
import type { Order } from '../order/order.table.ts';
import { newId, type RandomSource } from '../../lib/ids.ts';
import { takeNextSeq } from '../order/order.repository.ts';
import { findAttempt } from '../payment/payment.repository.ts';
import { insertEvent } from './callback.repository.ts';

export interface EnqueueInput {
  event: CallbackEvent;
  /** 0 when paid, otherwise the ZF code that explains the event. */
  resCode: 0 | ErrorCode;
  resInfo: string;
  /** The last word on the order: nothing newer will follow. */
  final: boolean;
  now: number;
  random?: RandomSource;
  /** The seq when the caller already took it with its own update of the order row (which holds the row's lock). */
  seq?: number;
  /** The paying attempt's method when the caller has it (otherwise read from `paid_attempt_id`). */
  method?: CallbackPayload['method'];
  /** For `refunded`: the refund the event is about (its `final` is the last word on that refund). */
  refund?: {
    refund_no: string;
    partner_refund_no: string;
    amount_fen: number;
    insurer_fen: number;
    self_pay_fen: number;
    status: 'succeeded' | 'failed';
  };
}

/** Allocates the order's next `seq` and writes the event to the outbox, inside the caller's transaction. */
export async function enqueueCallback(
  trx: Db,
  order: Pick<
    Order,
    'order_no' | 'refer_no' | 'partner_id' | 'callback_url' | 'self_pay_fen' | 'amount_fen' | 'insurer_fen' | 'paid_attempt_id'
  >,
  input: EnqueueInput,
): Promise<string> {
  // The increment takes the order row's lock, so concurrent events of one order get distinct, ordered seqs.
  const seq = input.seq ?? (await takeNextSeq(trx, order.order_no));
  const eventId = newId('evt_', input.now, input.random);
  const payload: CallbackPayload = {
    order_no: order.order_no,
    refer_no: order.refer_no,
    res_code: input.resCode,
    res_info: input.resInfo,
    event: input.event,
    event_id: eventId,
    seq,
    final: input.final,
    paid_amount: formatYuan(input.event === 'paid' ? order.amount_fen : 0),
    insurer_amount: formatYuan(order.insurer_fen),
    self_pay_amount: formatYuan(order.self_pay_fen),
    method:
      input.method !== undefined
        ? input.method
        : order.paid_attempt_id
          ? ((await findAttempt(trx, order.paid_attempt_id))?.method ?? null)
          : null,
    created_at: new Date(input.now).toISOString(),
  };
  if (input.refund) {
    const r = input.refund;
    payload.refund = {
      refund_no: r.refund_no,
      partner_refund_no: r.partner_refund_no,
      amount: formatYuan(r.amount_fen),
      insurer_amount: formatYuan(r.insurer_fen),
      self_pay_amount: formatYuan(r.self_pay_fen),
      status: r.status,
    };
  }
  await insertEvent(trx, {
    id: eventId,
    order_no: order.order_no,
    partner_id: order.partner_id,
    url: order.callback_url,
    event: input.event,
    seq,
    final: input.final ? 1 : 0,
    payload: JSON.stringify(payload),
    created_at: input.now,
  });
  return eventId;
}

/** Delays between delivery attempts (ms): growing, ≈ 24 h in all (after WeChat Pay's schedule); then `dead`. */
export const RETRY_SCHEDULE_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map(
  (s) => s * 1000,
);

export { isCallbackAllowed, ownEndpoints } from './callback-target.ts';
