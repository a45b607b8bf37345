// Alerts for admins and the manual clearing tasks they must finish.
export interface AlertTable {
  id: string;
  kind: 'INSURER_QUOTA_SHORT' | 'CLEARING_LEDGER_SHORT' | 'LATE_PAYMENT' | 'DOUBLE_PAYMENT' | 'CALLBACK_DEAD' | 'PAYMENT_RESULT_OVERDUE' | 'PAYMENT_AMOUNT_MISMATCH' | 'REFUND_MERCHANT_SHORT' | 'REFUND_FAILED';
  dedupe_key: string;
  order_no: string | null;
  amount_fen: number | null;
  detail: string;
  status: 'open' | 'acknowledged';
  created_at: number;
  acknowledged_at: number | null;
  /** The refund that answers this alert (DOUBLE_PAYMENT / LATE_PAYMENT are refunded automatically). */
  refund_no?: string | null;
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
