// Alerts for admins and the manual clearing tasks they must finish.
export interface AlertTable {
  id: string;
  kind: 'INSURER_QUOTA_SHORT' | 'CLEARING_LEDGER_SHORT' | 'LATE_PAYMENT' | 'DOUBLE_PAYMENT' | 'CALLBACK_DEAD' | 'PAYMENT_RESULT_OVERDUE' | 'PAYMENT_AMOUNT_MISMATCH' | 'INSURER_QUOTA_SHORT_EARLY' | 'QUOTA_LOW_WARNING' | 'QUOTA_LOW_CRITICAL' | 'QUOTA_BOOK_DRIFT' | 'RECONCILE_DIFFERENCE';
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
