import { z } from 'zod';

export const ORDER_STATUSES = ['open', 'paid', 'settled', 'closed', 'paid_late'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const PAY_METHODS = ['balance', 'card', 'guanaitong', 'insurer_only'] as const;
export const PayMethod = z.enum(PAY_METHODS);
export type PayMethod = z.infer<typeof PayMethod>;

export const ATTEMPT_STATUSES = ['created', 'submitted', 'pending_bank', 'succeeded', 'failed'] as const;
export const AttemptStatus = z.enum(ATTEMPT_STATUSES);
export type AttemptStatus = z.infer<typeof AttemptStatus>;

export const AttemptView = z.object({
  id: z.string(),
  method: PayMethod,
  status: AttemptStatus,
  amount_fen: z.number().int(),
  failure_reason: z.string().nullable(),
  created_at: z.string(),
  /** Planned (BFF, issue 13 defect 4): the bound card's last 4 digits, for card attempts. The H5 shows it when present. */
  card_last4: z.string().nullable().optional(),
  /** Planned: the provider's transaction no. (Payzero order / Guanaitong trade no.), for support. */
  transaction_no: z.string().nullable().optional(),
  /** Planned: when the attempt reached its final status. */
  finished_at: z.string().nullable().optional(),
});
export type AttemptView = z.infer<typeof AttemptView>;

/** What the H5 shows of an order. `display` folds order and attempt states into what the user sees. */
export const OrderView = z.object({
  order_no: z.string(),
  refer_no: z.string(),
  claim_no: z.string(),
  policy_no: z.string(),
  insurer_name: z.string(),
  status: OrderStatus,
  display: z.enum(['unpaid', 'processing', 'paid', 'failed', 'closed']),
  amount_fen: z.number().int(),
  insurer_fen: z.number().int(),
  self_pay_fen: z.number().int(),
  deadline_at: z.string(),
  paid_at: z.string().nullable(),
  created_at: z.string(),
  last_attempt: AttemptView.nullable(),
  /** Planned (BFF, issue 13 defect 4): the partner the order came from, so records of several partners differ. */
  partner_id: z.string().optional(),
  /** Planned: the partner's display name (e.g. 示例医院). */
  partner_name: z.string().nullable().optional(),
  /**
   * Self-pay money that arrived for this order beyond the payment that paid it (a superseded Guanaitong trip that
   * succeeded after another method had paid: a DOUBLE_PAYMENT, to be refunded). 0 in the normal case.
   */
  extra_paid_fen: z.number().int().optional(),
});
export type OrderView = z.infer<typeof OrderView>;

export const CreateOrderRequest = z.object({ policy_no: z.string().min(1).max(64) });
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

/**
 * `confirm_supersede`: the user saw the pending Guanaitong trip of this order (the cashier's `pending_trip`) and
 * chose to pay another way anyway; without it a balance or card payment is refused with ZF0200 while that trip is
 * in flight (see docs/architecture.md, "Paying while a Guanaitong trip is open").
 */
export const BalancePayRequest = z.object({ pin: z.string().regex(/^\d{6}$/), confirm_supersede: z.boolean().optional() });
export type BalancePayRequest = z.infer<typeof BalancePayRequest>;

export const PayResponse = z.object({ order: OrderView, attempt: AttemptView });
export type PayResponse = z.infer<typeof PayResponse>;

export const MethodView = z.object({
  method: z.enum(['balance', 'card', 'guanaitong', 'alipay', 'wechat']),
  enabled: z.boolean(),
  /** For balance: the wallet balance; otherwise null. */
  balance_fen: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type MethodView = z.infer<typeof MethodView>;

export const CashierView = z.object({
  order: OrderView,
  methods: z.array(MethodView),
  pin_locked: z.boolean(),
  /** While locked: when the PIN unlocks (ISO time); null when not locked. */
  pin_locked_until: z.string().nullable(),
  /** False until the user sets a payment PIN (at the cashier, confirmed by an SMS code). */
  pin_set: z.boolean().optional(),
  /** An in-flight Guanaitong trip of this order: paying another way now may charge twice (it would be refunded). */
  pending_trip: z
    .object({ method: z.literal('guanaitong'), started_at: z.string() })
    .nullable()
    .optional(),
  server_time: z.string(),
});
export type CashierView = z.infer<typeof CashierView>;

export const OrderList = z.object({ orders: z.array(OrderView) });
export type OrderList = z.infer<typeof OrderList>;
