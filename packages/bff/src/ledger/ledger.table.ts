// The double-entry ledger's tables: accounts with their balance, transfers, and the two entries of each.
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
