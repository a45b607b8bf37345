import { z } from 'zod';

export const CALLBACK_EVENTS = ['order_created', 'paid', 'failed', 'timeout', 'closed'] as const;
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
  paid_amount: z.string(),
  created_at: z.string(),
  /** Present (true) only on a test callback sent from the admin console: not about a real order. */
  test: z.boolean().optional(),
});
export type CallbackPayload = z.infer<typeof CallbackPayload>;
