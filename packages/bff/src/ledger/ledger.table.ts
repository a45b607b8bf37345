// The double-entry ledger's tables: accounts with their balance, transfers, and the two entries of each.
import type { Generated } from 'kysely';
export interface LedgerAccountTable {
  id: string;
  book: 'cash' | 'quota' | 'coverage';
  kind: string;
  allow_negative: number;
  balance_fen: number;
  /** Amounts held by pending transfers from / to this account (two-phase transfers, TigerBeetle style). */
  debits_pending_fen: Generated<number>;
  credits_pending_fen: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface LedgerTransferTable {
  id: string;
  idempotency_key: string;
  book: 'cash' | 'quota' | 'coverage';
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

/** A two-phase transfer: `pending` holds the amount until it is posted (in full or in part), voided or expired. */
export interface LedgerPendingTable {
  id: string;
  idempotency_key: string;
  book: 'cash' | 'quota' | 'coverage';
  from_account: string;
  to_account: string;
  amount_fen: number;
  posted_fen: number | null;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  timeout_at: number;
  order_no: string | null;
  memo: string;
  created_at: number;
  resolved_at: number | null;
}
