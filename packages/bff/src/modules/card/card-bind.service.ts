// Binding a card with an SMS code (defect 5 of issue 13): the card's details go to Payzero's card-agreement signing,
// which texts a code to the card's reserved phone; only when that code is confirmed does the card become usable, and
// the agreement number Payzero answers is what later payments send (`payerCardNo`). The card and ID numbers are
// checked (by the shared schema), passed to Payzero once and dropped: the pending binding keeps only masked fields.
import type { AddCardRequest, AddCardResponse, ConfirmCardRequest, StartCardBindResponse } from '@zf/shared';
import { maskCardNo, maskPhone } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { newId } from '../../lib/ids.ts';
import type { PayzeroClient } from '../../providers/payzero/client.ts';
import { bankNameOf } from './bank-bins.ts';
import { findCardByFingerprint, findChallenge, insertCard, insertChallenge, restoreCard, type BoundCard } from './card.repository.ts';
import { cardFingerprint, toCardView } from './card.service.ts';
import { SMS_TTL_MS, assertSmsAllowed, checkSmsCode } from './sms-challenge.ts';

/** What a pending binding keeps until its code is confirmed (no card or ID number). */
interface PendingCard {
  bank_name: string;
  holder_name: string;
  masked_no: string;
  last4: string;
  phone_masked: string;
  fingerprint: string;
}

/**
 * Starts binding a card: a card this user already has bound answers it at once (200, `created: false`); otherwise
 * Payzero texts a code to the card's phone and the answer names the pending binding (202). ZF0120 past the SMS limit.
 */
export async function startCardBinding(
  deps: Deps,
  client: PayzeroClient,
  session: Session,
  input: AddCardRequest,
): Promise<StartCardBindResponse> {
  const { db, clock, random, config } = deps;
  const fingerprint = cardFingerprint(config.session.secret, input.card_no);
  const existing = await findCardByFingerprint(db, session.userId, fingerprint);
  if (existing && existing.removed_at === null) return { card: toCardView(existing), created: false };
  await assertSmsAllowed(deps, session.userId);

  const sent = await client.agreements.apply({
    payerName: input.holder_name,
    payerNumber: input.id_number,
    payerCardNo: input.card_no,
    payerPhone: input.phone,
  });
  const now = clock.now();
  const pending: PendingCard = {
    bank_name: bankNameOf(input.card_no),
    holder_name: input.holder_name,
    masked_no: maskCardNo(input.card_no),
    last4: input.card_no.slice(-4),
    phone_masked: maskPhone(input.phone),
    fingerprint,
  };
  const id = newId('BIND', now, random);
  await insertChallenge(db, {
    id,
    user_id: session.userId,
    purpose: 'bind',
    provider_request_no: sent.requestNo,
    card_id: null,
    pending_card: JSON.stringify(pending),
    phone_masked: pending.phone_masked,
    tries: 0,
    expires_at: now + SMS_TTL_MS,
    consumed_at: null,
    created_at: now,
  });
  deps.logger.info({ user_id: session.userId, binding_id: id, last4: pending.last4 }, 'card binding: sms code sent');
  return { binding: { binding_id: id, phone_masked: pending.phone_masked, expires_at: new Date(now + SMS_TTL_MS).toISOString() } };
}

/**
 * Confirms a pending binding with its SMS code: the card is bound (201) with Payzero's agreement number, or a card
 * removed earlier comes back (200). ZF0201 (+ remaining_tries) for a wrong code, ZF0202 for a used/expired binding.
 */
export async function confirmCardBinding(
  deps: Deps,
  client: PayzeroClient,
  session: Session,
  input: ConfirmCardRequest,
): Promise<AddCardResponse> {
  const { db, clock, random } = deps;
  const challenge = await findChallenge(db, session.userId, input.binding_id, 'bind');
  if (!challenge?.pending_card) return fail('ZF0202', 'no such pending binding');
  const agreementNo = await checkSmsCode(deps, client, challenge, input.sms_code);
  const pending = JSON.parse(challenge.pending_card) as PendingCard;

  const existing = await findCardByFingerprint(db, session.userId, pending.fingerprint);
  if (existing) {
    if (existing.removed_at !== null) await restoreCard(db, existing.id, agreementNo, pending.phone_masked);
    const card = (await findCardByFingerprint(db, session.userId, pending.fingerprint)) ?? existing;
    return { card: toCardView(card), created: false };
  }
  const now = clock.now();
  const card: BoundCard = {
    id: newId('CARD', now, random),
    user_id: session.userId,
    ...pending,
    token: agreementNo,
    created_at: now,
    removed_at: null,
  };
  if (!(await insertCard(db, card))) {
    const winner = await findCardByFingerprint(db, session.userId, pending.fingerprint);
    if (!winner) throw new Error(`card ${card.id}: unique violation without a binding to answer`);
    return { card: toCardView(winner), created: false };
  }
  deps.logger.info({ user_id: session.userId, card_id: card.id, bank: card.bank_name, last4: card.last4 }, 'card bound (sms confirmed)');
  return { card: toCardView(card), created: true };
}
