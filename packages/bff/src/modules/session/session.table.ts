// The identity tables: partners (who may sign links), users (the insured, with their PIN) and claims.
import type { Generated, Selectable } from 'kysely';

export interface PartnerTable {
  id: string;
  name: string;
  link_secret: string;
  callback_secret: string;
  /** JSON array of host names callbacks may go to. */
  callback_hosts: string;
  is_demo: number;
  disabled_at: number | null;
  /** The secret replaced by the last rotation, still accepted until `_until` (the overlap window). */
  prev_link_secret: string | null;
  prev_link_secret_until: number | null;
  prev_callback_secret: string | null;
  prev_callback_secret_until: number | null;
  /** HMAC key of the partner's server API requests (null: the partner has no API access yet). */
  api_secret?: string | null;
  /** The API secret replaced by the last rotation, still accepted until `_until` (migration 070). */
  prev_api_secret?: string | null;
  prev_api_secret_until?: number | null;
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
  /** The partner the claim was issued through; only its links may open it (NULL: unassigned, refused). */
  partner_id: string | null;
  created_at: number;
}

export type Partner = Selectable<PartnerTable>;
export type User = Selectable<UserTable>;
