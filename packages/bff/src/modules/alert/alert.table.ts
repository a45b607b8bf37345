// Alerts for admins and the manual clearing tasks they must finish.
export interface AlertTable {
  id: string;
  kind:
    | 'INSURER_QUOTA_SHORT'
    | 'CLEARING_LEDGER_SHORT'
    | 'LATE_PAYMENT'
    | 'DOUBLE_PAYMENT'
    | 'CALLBACK_DEAD'
    | 'PAYMENT_RESULT_OVERDUE'
    | 'PAYMENT_AMOUNT_MISMATCH'
    | 'INSURER_QUOTA_SHORT_EARLY'
    | 'QUOTA_LOW_WARNING'
    | 'QUOTA_LOW_CRITICAL'
    | 'QUOTA_BOOK_DRIFT'
    | 'RECONCILE_DIFFERENCE'
    | 'REFUND_MERCHANT_SHORT'
    | 'REFUND_FAILED'
    | 'REFUND_OVERDUE';
  dedupe_key: string;
  order_no: string | null;
  amount_fen: number | null;
  detail: string;
  status: 'open' | 'acknowledged' | 'resolved';
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution_note: string | null;
  /** The refund that answers this alert (DOUBLE_PAYMENT / LATE_PAYMENT are refunded automatically). */
  refund_no?: string | null;
}

/** One push of an alert to the admin robot webhook (one per alert), delivered with retries by a leased job. */
export interface AlertPushTable {
  id: string;
  alert_id: string;
  payload: string;
  status: 'pending' | 'sending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
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
