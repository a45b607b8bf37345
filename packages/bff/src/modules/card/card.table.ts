// Bound bank cards: a masked number and Payzero's card reference, never the card or ID number.
import type { Generated, Selectable } from 'kysely';

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
  /** Removed by the user (migration 060); kept so past payments still name their card. */
  removed_at: number | null;
}

/**
 * An SMS check (migration 060): `bind` holds the card being bound until Payzero's signing code is confirmed
 * (`pending_card`, JSON of the masked fields — never the card or ID number); `pin` sets or resets the payment PIN
 * with a code sent to the phone of the bound card `card_id`.
 */
export interface SmsChallengeTable {
  id: string;
  user_id: string;
  purpose: 'bind' | 'pin';
  provider_request_no: string;
  card_id: string | null;
  pending_card: string | null;
  phone_masked: string;
  tries: Generated<number>;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

export type BoundCard = Selectable<BoundCardTable>;

export type SmsChallenge = Selectable<SmsChallengeTable>;
