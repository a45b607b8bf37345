import { z } from 'zod';

export const CALLBACK_EVENTS = ['order_created', 'paid', 'failed', 'timeout', 'closed', 'refunded'] as const;
export const CallbackEvent = z.enum(CALLBACK_EVENTS);
export type CallbackEvent = z.infer<typeof CallbackEvent>;

/** The JSON body of a partner callback (SPEC §4). `res_code` is 0 when paid, otherwise a ZF code. */
export const CallbackPayload = z.object({
  order_no: z.string(),
  refer_no: z.string(),
  res_code: z.union([z.literal(0), z.string()]),
  res_info: z.string(),
  event: CallbackEvent,
  event_id: z.string(),
  seq: z.number().int(),
  final: z.boolean(),
  /** The order's total A (yuan) on `paid`, "0.00" on every other event. */
  paid_amount: z.string(),
  /** The insurer's share X of the order (yuan), on every event. */
  insurer_amount: z.string(),
  /** The user's self-pay Y of the order (yuan), on every event; A = X + Y. */
  self_pay_amount: z.string(),
  /** How the self-pay was paid (`balance`, `card`, `guanaitong`, `insurer_only` when Y = 0); null before payment. */
  method: z.enum(['balance', 'card', 'guanaitong', 'insurer_only']).nullable(),
  /** On `refunded` only: the refund (amounts in yuan) this event is the last word on. */
  refund: z
    .object({
      refund_no: z.string(),
      partner_refund_no: z.string(),
      amount: z.string(),
      insurer_amount: z.string(),
      self_pay_amount: z.string(),
      status: z.enum(['succeeded', 'failed']),
    })
    .optional(),
  created_at: z.string(),
  /** Present (true) only on a test callback sent from the admin console: not about a real order. */
  test: z.boolean().optional(),
});
export type CallbackPayload = z.infer<typeof CallbackPayload>;
