// Our side of the insurer quota: the running total per insurer with its watermark, and the alert levels.
export interface QuotaTotalTable {
  ic_code: string;
  /** Σ type 1 − Σ type 2 of the insurer's api_core_v2 records with created_at ≤ watermark_at. */
  settled_fen: number;
  watermark_at: number;
  recounted_at: number | null;
  updated_at: number;
}

export interface QuotaThresholdTable {
  ic_code: string;
  warning_fen: number;
  critical_fen: number;
  warning_armed: number;
  critical_armed: number;
  warning_seq: number;
  critical_seq: number;
  updated_at: number;
}
