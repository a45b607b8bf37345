// The partner server API's contract (`/api/partner/v1/*`): requests the routes validate and answers they send, in
// zod, so the OpenAPI document is generated from the same values. Amounts are yuan strings ("12.34").
import { z } from 'zod';
import { AttemptStatus, OrderStatus, PayMethod } from './order.ts';

const Yuan = z
  .string()
  .regex(/^\d{1,8}(\.\d{1,2})?$/)
  .describe('yuan, at most 2 decimals, e.g. "12.30"');

export const PartnerOrderParam = z.object({ order_no: z.string().min(1).max(32) });
export const PartnerOrdersQuery = z.object({ refer_no: z.string().min(1).max(64) });
export const PartnerRefundParam = z.object({ no: z.string().min(1).max(64).describe('our refund_no or your partner_refund_no') });

export const RefundRequest = z.object({
  order_no: z.string().min(1).max(32),
  partner_refund_no: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe('your refund number: the same number again returns the same refund'),
  amount: Yuan.describe('the amount to refund (yuan); ≤ what is left of the order total'),
  reason: z.string().max(200).default(''),
});
export type RefundRequest = z.infer<typeof RefundRequest>;

export const REFUND_STATUSES = ['requested', 'submitted', 'succeeded', 'failed'] as const;

export const RefundView = z.object({
  refund_no: z.string(),
  partner_refund_no: z.string(),
  order_no: z.string(),
  kind: z.enum(['order', 'extra_attempt']).describe('extra_attempt: an automatic refund of a double or late payment'),
  amount: Yuan,
  insurer_amount: Yuan.describe("part going back to the insurer's quota"),
  self_pay_amount: Yuan.describe('part going back to the user by the method it came'),
  method: PayMethod,
  status: z.enum(REFUND_STATUSES),
  waiting_for_admin: z.boolean().describe('true while our merchant ledger of yours cannot cover it (a manual task)'),
  provider_status: z.string().nullable(),
  reason: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type RefundView = z.infer<typeof RefundView>;

export const PartnerAttemptView = z.object({
  id: z.string(),
  method: PayMethod,
  amount: Yuan,
  status: AttemptStatus,
  failure_reason: z.string().nullable(),
  created_at: z.string(),
});

export const PartnerOrderView = z.object({
  order_no: z.string(),
  refer_no: z.string(),
  status: OrderStatus,
  amount: Yuan.describe('the bill A = insurer_amount + self_pay_amount'),
  insurer_amount: Yuan,
  self_pay_amount: Yuan,
  refunded_amount: Yuan.describe('succeeded refunds of the order (not counting extra payments)'),
  method: PayMethod.nullable().describe('how the self-pay was paid; null until paid'),
  deadline_at: z.string(),
  paid_at: z.string().nullable(),
  created_at: z.string(),
  attempts: z.array(PartnerAttemptView),
  refunds: z.array(RefundView),
  last_callback_seq: z.number().int().describe('the highest callback seq sent or queued for this order (0: none)'),
});
export type PartnerOrderView = z.infer<typeof PartnerOrderView>;

export const PartnerOrdersAnswer = z.object({ orders: z.array(PartnerOrderView) });
export const RefundAnswer = z.object({ refund: RefundView });
export const PartnerOrderAnswer = z.object({ order: PartnerOrderView });
