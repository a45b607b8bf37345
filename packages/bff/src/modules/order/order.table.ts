// Orders: one bill of a partner paid under one policy; times in Unix ms, money in fen.
import type { Generated, Selectable, Insertable } from 'kysely';

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

export type Order = Selectable<OrderTable>;
export type NewOrder = Insertable<OrderTable>;
