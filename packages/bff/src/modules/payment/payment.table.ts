// Payment attempts of an order's self-pay share, and the provider notifications as received.
import type { Generated, Selectable } from 'kysely';

export interface PaymentAttemptTable {
  id: string;
  order_no: string;
  method: 'balance' | 'card' | 'guanaitong' | 'insurer_only';
  amount_fen: number;
  status: 'created' | 'submitted' | 'pending_bank' | 'succeeded' | 'failed';
  card_id: string | null;
  provider_ref: string | null;
  provider_trade_no: string | null;
  failure_reason: string | null;
  internal_reason: string | null;
  submitted_at: number | null;
  next_poll_at: number | null;
  poll_count: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface ProviderNotificationTable {
  id: string;
  provider: 'payzero' | 'guanaitong';
  dedupe_key: string;
  attempt_id: string | null;
  payload: string;
  created_at: number;
}

export type PaymentAttempt = Selectable<PaymentAttemptTable>;
