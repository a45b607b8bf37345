// Bound bank cards: listing a user's cards (the one that just paid first, one that was just declined last), the card
// reference, the keyed fingerprint, and removing a card. Binding is in card-bind.service.ts (SMS-confirmed).
//
// The card reference (`token`): the agreement number Payzero's card-agreement signing answers (协议支付, the
// "agreeid" its 50001/50010 codes speak of; see providers/payzero/agreement.ts), sent as the order's `payerCardNo`.
// It names the card without revealing it; the simulator (SPEC §10) reads the bank's behaviour from its last 4 digits.
import { createHmac } from 'node:crypto';
import type { CardList, CardView } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { cardOutcomes, findInFlightCardAttempt } from '../payment/payment.repository.ts';
import { findUserCard, listUserCards, markCardRemoved, type BoundCard } from './card.repository.ts';

/**
 * A keyed fingerprint of a card number, so the same card is not bound twice. HMAC-SHA256 under a key derived from
 * the server's session secret (domain-separated), so it cannot be reversed by hashing every possible card number.
 */
export function cardFingerprint(secret: string, cardNo: string): string {
  const key = createHmac('sha256', secret).update('zf:card-fingerprint:v1').digest();
  return createHmac('sha256', key).update(cardNo).digest('hex');
}

/** What the H5 sees of a card. */
export function toCardView(card: BoundCard, lastDeclined = false): CardView {
  return { id: card.id, bank_name: card.bank_name, masked_no: card.masked_no, last4: card.last4, last_declined: lastDeclined };
}

/**
 * The session user's bound cards: the most recently successful first, then the newest; a card whose last final
 * payment the bank declined goes last and says so (`last_declined`), so it is never the default after a decline.
 */
export async function listCards(deps: Deps, session: Session): Promise<CardList> {
  const cards = await listUserCards(deps.db, session.userId);
  const outcomes = await cardOutcomes(
    deps.db,
    cards.map((c) => c.id),
  );
  const rank = cards.map((card, index) => {
    const mine = outcomes.filter((o) => o.card_id === card.id);
    const lastSuccess = Math.max(0, ...mine.filter((o) => o.status === 'succeeded').map((o) => Number(o.updated_at)));
    const last = mine.reduce<(typeof mine)[number] | undefined>(
      (a, o) => (!a || Number(o.updated_at) > Number(a.updated_at) ? o : a),
      undefined,
    );
    return { card, index, lastSuccess, declined: last?.status === 'failed' && last.failure_reason === 'declined' };
  });
  rank.sort((a, b) => Number(a.declined) - Number(b.declined) || b.lastSuccess - a.lastSuccess || a.index - b.index);
  return { cards: rank.map((r) => toCardView(r.card, r.declined)) };
}

/**
 * Removes one of the user's cards (`DELETE /api/cards/:id`). ZF0206 for a card that is not (or no longer) theirs,
 * ZF0205 while a payment with it waits for the bank. Removed cards stay in the table for the records.
 */
export async function removeCard(deps: Deps, session: Session, cardId: string): Promise<void> {
  const { db, clock } = deps;
  await inTransaction(db, async (trx) => {
    const card = await findUserCard(trx, session.userId, cardId, deps.dialect === 'mysql');
    if (!card) return fail('ZF0206');
    // The attempt rows' locks (MySQL) make a concurrent pay with this card wait or be seen here.
    const inFlight = await findInFlightCardAttempt(trx, cardId, deps.dialect === 'mysql');
    if (inFlight) return fail('ZF0205', `card ${cardId} has attempt ${inFlight.id} in flight`);
    if (!(await markCardRemoved(trx, cardId, clock.now()))) fail('ZF0206');
  });
  deps.logger.info({ user_id: session.userId, card_id: cardId }, 'card removed');
}
