// The partner-callback outbox and every delivery attempt of it.
import type { Generated, Selectable } from 'kysely';

export interface CallbackEventTable {
  id: string;
  order_no: string;
  partner_id: string;
  url: string;
  event: 'order_created' | 'paid' | 'failed' | 'timeout' | 'closed' | 'refunded';
  seq: number;
  final: number;
  payload: string;
  status: 'pending' | 'sending' | 'delivered' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  /** The random token of the claim that holds the lease (a batch claim reads back which rows it won). */
  claim_token: string | null;
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

export type CallbackEventRow = Selectable<CallbackEventTable>;
