// Bound bank cards: a masked number and Payzero's card reference, never the card or ID number.
import type { Selectable } from 'kysely';

export interface BoundCardTable {
  id: string;
  user_id: string;
  bank_name: string;
  holder_name: string;
  masked_no: string;
  last4: string;
  token: string;
  phone_masked: string;
  /** HMAC of the card number (migration 002); null for cards bound before it. Never the number itself. */
  fingerprint: string | null;
  created_at: number;
}

export type BoundCard = Selectable<BoundCardTable>;
