// Bound bank cards: listing a user's cards and binding a new one. The card and ID numbers are checked (by the shared
// schema), masked and dropped — only a masked number, the last 4 digits, the bank, a masked phone, a keyed fingerprint
// and the Payzero card reference (token) are stored.
//
// The card reference: Payzero's real card binding is a signed card agreement (协议支付, the "agreeid" its 50001/50010
// codes speak of) set up in its merchant console; the QuickPay order carries no card field. Until that agreement
// flow is integrated, binding a card here issues our own opaque reference `pzagr_<20 hex>_<last 4 digits>`, sent as
// the order's `payerCardNo`. It stands in for the agreement id: it names the card without revealing it, and the
// simulator (SPEC §10) reads the bank's behaviour from its last 4 characters, exactly as from a card number.
import { createHmac } from 'node:crypto';
import { maskCardNo, maskPhone, type AddCardRequest, type AddCardResponse, type CardList, type CardView } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import { newId, type RandomSource } from '../../lib/ids.ts';
import type { Session } from '../../http/session-token.ts';
import { bankNameOf } from './bank-bins.ts';
import { findCardByFingerprint, insertCard, listUserCards, type BoundCard } from './card.repository.ts';

/** The card reference sent to Payzero as `payerCardNo` (see the module header): opaque, ending in the last 4 digits. */
export function cardReference(random: RandomSource, last4: string): string {
  return `pzagr_${random.hex(10)}_${last4}`;
}

/**
 * A keyed fingerprint of a card number, so the same card is not bound twice. HMAC-SHA256 under a key derived from
 * the server's session secret (domain-separated), so it cannot be reversed by hashing every possible card number.
 */
export function cardFingerprint(secret: string, cardNo: string): string {
  const key = createHmac('sha256', secret).update('zf:card-fingerprint:v1').digest();
  return createHmac('sha256', key).update(cardNo).digest('hex');
}

/** What the H5 sees of a card. */
export function toCardView(card: BoundCard): CardView {
  return { id: card.id, bank_name: card.bank_name, masked_no: card.masked_no, last4: card.last4 };
}

/** The session user's bound cards, newest first. */
export async function listCards(deps: Deps, session: Session): Promise<CardList> {
  const cards = await listUserCards(deps.db, session.userId);
  return { cards: cards.map(toCardView) };
}

/**
 * Binds a card to the session user (input already validated and normalized by `AddCardRequest`). Binding the same
 * card again returns the existing binding (`created: false`). The ID number is only validated: nothing keeps it.
 */
export async function addCard(deps: Deps, session: Session, input: AddCardRequest): Promise<AddCardResponse> {
  const { db, clock, random, config } = deps;
  const cardNo = input.card_no;
  const fingerprint = cardFingerprint(config.session.secret, cardNo);
  const existing = await findCardByFingerprint(db, session.userId, fingerprint);
  if (existing) return { card: toCardView(existing), created: false };

  const now = clock.now();
  const last4 = cardNo.slice(-4);
  const card: BoundCard = {
    id: newId('CARD', now, random),
    user_id: session.userId,
    bank_name: bankNameOf(cardNo),
    holder_name: input.holder_name,
    masked_no: maskCardNo(cardNo),
    last4,
    token: cardReference(random, last4),
    phone_masked: maskPhone(input.phone),
    fingerprint,
    created_at: now,
  };
  if (!(await insertCard(db, card))) {
    // The same card was bound by a concurrent request: answer that binding.
    const winner = await findCardByFingerprint(db, session.userId, fingerprint);
    if (!winner) throw new Error(`card ${card.id}: unique violation without a binding to answer`);
    return { card: toCardView(winner), created: false };
  }
  deps.logger.info({ user_id: session.userId, card_id: card.id, bank: card.bank_name, last4 }, 'card bound');
  return { card: toCardView(card), created: true };
}
