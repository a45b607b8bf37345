// Refunds of paid orders (partner / admin) and of extra provider payments (DOUBLE_PAYMENT / LATE_PAYMENT, automatic).
import type { Generated, Selectable } from 'kysely';

export interface RefundTable {
  refund_no: string;
  order_no: string;
  partner_id: string;
  /** The partner's refund number (idempotency key per partner); `auto:<attempt>` for automatic refunds. */
  partner_refund_no: string;
  /** `order`: part of what the order paid; `extra_attempt`: a whole provider payment the order did not need. */
  kind: 'order' | 'extra_attempt';
  attempt_id: string;
  method: 'balance' | 'card' | 'guanaitong' | 'insurer_only';
  amount_fen: number;
  insurer_fen: number;
  self_pay_fen: number;
  reason: string;
  source: 'partner' | 'admin' | 'auto';
  status: 'requested' | 'submitted' | 'succeeded' | 'failed';
  /** 1 while the refund's money sits in `refund_pending` (taken from the merchant, or arrived from the provider). */
  held: Generated<number>;
  /** `open` while the merchant's ledger cannot cover the refund (a manual task for an admin). */
  task_status: Generated<'none' | 'open' | 'done'>;
  provider_ref: string | null;
  provider_status: string | null;
  provider_detail: string | null;
  next_poll_at: number | null;
  poll_count: Generated<number>;
  task_done_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** When it was last submitted to the provider (migration 070); REFUND_OVERDUE counts from here. */
  submitted_at?: number | null;
  /** When its REFUND_OVERDUE alert was raised (claimed once by a conditional update). */
  overdue_alerted_at?: number | null;
}

export interface PartnerNonceTable {
  partner_id: string;
  nonce: string;
  expires_at: number;
}

export type Refund = Selectable<RefundTable>;
