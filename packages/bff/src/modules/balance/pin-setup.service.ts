// Setting the payment PIN at the cashier, and resetting a forgotten (or locked) one, the same way: an SMS code to the
// phone of one of the user's bound cards (through Payzero's agreement SMS, card/sms-challenge.ts), then the new PIN
// entered twice. A reset clears the wrong-try count and the lock.
import type { PinSmsChallenge, SetPinRequest } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { newId } from '../../lib/ids.ts';
import { hashPin } from '../../lib/pin-hash.ts';
import type { PayzeroClient } from '../../providers/payzero/client.ts';
import { findChallenge, findUserCard, insertChallenge } from '../card/card.repository.ts';
import { SMS_TTL_MS, assertSmsAllowed, checkSmsCode } from '../card/sms-challenge.ts';
import { setPinHash } from './balance.repository.ts';

/** Texts a code to the phone of the user's bound card `cardId` (ZF0206 for a card that is not theirs). */
export async function sendPinSms(deps: Deps, client: PayzeroClient, session: Session, cardId: string): Promise<PinSmsChallenge> {
  const { db, clock, random } = deps;
  const card = await findUserCard(db, session.userId, cardId);
  if (!card) return fail('ZF0206');
  await assertSmsAllowed(deps, session.userId);
  const sent = await client.agreements.sendSms(card.token);
  const now = clock.now();
  const id = newId('PINSMS', now, random);
  await insertChallenge(db, {
    id,
    user_id: session.userId,
    purpose: 'pin',
    provider_request_no: sent.requestNo,
    card_id: card.id,
    pending_card: null,
    phone_masked: card.phone_masked,
    tries: 0,
    expires_at: now + SMS_TTL_MS,
    consumed_at: null,
    created_at: now,
  });
  deps.logger.info({ user_id: session.userId, challenge_id: id, card_id: card.id }, 'pin set/reset: sms code sent');
  return { challenge_id: id, phone_masked: card.phone_masked, expires_at: new Date(now + SMS_TTL_MS).toISOString() };
}

/**
 * Sets the PIN (first time, or a reset that also unlocks it). ZF0204 when the two entries differ (nothing counted),
 * ZF0201 / ZF0202 for the SMS code, ZF0206 when the card was removed meanwhile.
 */
export async function setPin(deps: Deps, client: PayzeroClient, session: Session, input: SetPinRequest): Promise<{ pin_set: true }> {
  const { db } = deps;
  if (input.pin !== input.pin_confirm) fail('ZF0204');
  const challenge = await findChallenge(db, session.userId, input.challenge_id, 'pin');
  if (!challenge?.card_id) return fail('ZF0202', 'no such pin challenge');
  const agreementNo = await checkSmsCode(deps, client, challenge, input.sms_code);
  const card = await findUserCard(db, session.userId, challenge.card_id);
  if (!card || card.token !== agreementNo) return fail('ZF0206', 'card removed or agreement changed');
  await setPinHash(db, session.userId, hashPin(deps.config.pin, input.pin));
  deps.logger.info({ user_id: session.userId, card_id: card.id }, 'payment pin set (sms confirmed); tries and lock cleared');
  return { pin_set: true };
}
