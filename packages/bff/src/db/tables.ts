// The Kysely interfaces of our tables: snake_case rows, times in Unix ms, money in fen. Services map them to API shapes.
import type { Generated, Selectable, Insertable } from 'kysely';

export interface PartnerTable {
  id: string;
  name: string;
  link_secret: string;
  callback_secret: string;
  /** JSON array of host names callbacks may go to. */
  callback_hosts: string;
  is_demo: number;
  created_at: number;
}

export interface UserTable {
  id: string;
  name: string;
  pin_hash: string | null;
  pin_failed: Generated<number>;
  pin_locked_at: number | null;
  created_at: number;
}

export interface ClaimTable {
  claim_no: string;
  user_id: string;
  created_at: number;
}

export interface PolicyTable {
  policy_no: string;
  user_id: string;
  ic_code: string;
  insurer_name: string;
  product_name: string;
  ratio_bp: number;
  deductible_fen: number;
  coverage_left_fen: number;
  valid_from: string;
  valid_to: string;
  status: 'active' | 'cancelled';
  created_at: number;
}

export interface OrderTable {
  order_no: string;
  partner_id: string;
  refer_no: string;
  active_ref: string | null;
  claim_no: string;
  user_id: string;
  policy_no: string;
  ic_code: string;
  insurer_name: string;
  amount_fen: number;
  insurer_fen: number;
  self_pay_fen: number;
  marker: string | null;
  callback_url: string;
  status: 'open' | 'paid' | 'settled' | 'closed' | 'paid_late';
  settlement_step: SettlementStep | null;
  next_seq: Generated<number>;
  deadline_at: number;
  paid_at: number | null;
  paid_attempt_id: string | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The last completed step of SPEC §3.7 for an order; `notified` is the end. */
export type SettlementStep = 'pending' | 'quota_checked' | 'deducted' | 'cleared' | 'clearing_parked' | 'notified';

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

export interface BoundCardTable {
  id: string;
  user_id: string;
  bank_name: string;
  holder_name: string;
  masked_no: string;
  last4: string;
  token: string;
  phone_masked: string;
  /** HMAC of the card number (migration 002); null for cards bound before it. Never the number itself. */
  fingerprint: string | null;
  created_at: number;
}

export interface LedgerAccountTable {
  id: string;
  book: 'cash' | 'quota';
  kind: string;
  allow_negative: number;
  balance_fen: number;
  created_at: number;
  updated_at: number;
}

export interface LedgerTransferTable {
  id: string;
  idempotency_key: string;
  book: 'cash' | 'quota';
  from_account: string;
  to_account: string;
  amount_fen: number;
  order_no: string | null;
  memo: string;
  created_at: number;
}

export interface LedgerEntryTable {
  transfer_id: string;
  account_id: string;
  amount_fen: number;
  created_at: number;
}

export interface AlertTable {
  id: string;
  kind: 'INSURER_QUOTA_SHORT' | 'CLEARING_LEDGER_SHORT' | 'LATE_PAYMENT' | 'DOUBLE_PAYMENT' | 'CALLBACK_DEAD' | 'PAYMENT_RESULT_OVERDUE' | 'PAYMENT_AMOUNT_MISMATCH';
  dedupe_key: string;
  order_no: string | null;
  amount_fen: number | null;
  detail: string;
  status: 'open' | 'acknowledged';
  created_at: number;
  acknowledged_at: number | null;
}

export interface ClearingTaskTable {
  id: string;
  order_no: string;
  amount_fen: number;
  to_account: string;
  due_at: number;
  status: 'open' | 'done';
  done_at: number | null;
  done_by: string | null;
  created_at: number;
}

export interface CallbackEventTable {
  id: string;
  order_no: string;
  partner_id: string;
  url: string;
  event: 'order_created' | 'paid' | 'failed' | 'timeout' | 'closed';
  seq: number;
  final: number;
  payload: string;
  status: 'pending' | 'sending' | 'delivered' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

export interface CallbackDeliveryTable {
  id: string;
  event_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: number;
}

export interface ProviderNotificationTable {
  id: string;
  provider: 'payzero' | 'guanaitong';
  dedupe_key: string;
  attempt_id: string | null;
  payload: string;
  created_at: number;
}

export interface AdminUserTable {
  username: string;
  password_hash: string;
  is_demo: number;
  created_at: number;
}

export interface AuditLogTable {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  created_at: number;
}

/** Our own database. */
export interface Database {
  partners: PartnerTable;
  users: UserTable;
  claims: ClaimTable;
  policies: PolicyTable;
  orders: OrderTable;
  payment_attempts: PaymentAttemptTable;
  bound_cards: BoundCardTable;
  ledger_accounts: LedgerAccountTable;
  ledger_transfers: LedgerTransferTable;
  ledger_entries: LedgerEntryTable;
  alerts: AlertTable;
  clearing_tasks: ClearingTaskTable;
  callback_events: CallbackEventTable;
  callback_deliveries: CallbackDeliveryTable;
  provider_notifications: ProviderNotificationTable;
  admin_users: AdminUserTable;
  audit_log: AuditLogTable;
}

export type Order = Selectable<OrderTable>;
export type NewOrder = Insertable<OrderTable>;
export type PaymentAttempt = Selectable<PaymentAttemptTable>;
export type Partner = Selectable<PartnerTable>;
export type Policy = Selectable<PolicyTable>;
export type CallbackEventRow = Selectable<CallbackEventTable>;
