// Abuse-limit counters: hits of one limit key within one fixed window.
export interface RateLimitTable {
  bucket: string;
  hits: number;
  /** End of the window, Unix ms; rows past it are deleted by the cleanup job. */
  expires_at: number;
}
