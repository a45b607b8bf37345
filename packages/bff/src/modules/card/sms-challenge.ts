// SMS checks through Payzero's card-agreement signing (providers/payzero/agreement.ts): the limits this BFF keeps
// itself (5 min, 3 tries counted before the check, 5 codes per user per 10 min) and the one code check both the
// card binding and the PIN set/reset use.
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { PZ_AGREEMENT_CODES } from '../../providers/payzero/agreement.ts';
import { PayzeroError, type PayzeroClient } from '../../providers/payzero/client.ts';
import { consumeChallenge, countChallengesSince, takeChallengeTry, type SmsChallenge } from './card.repository.ts';

export const SMS_TTL_MS = 5 * 60_000;
export const SMS_MAX_TRIES = 3;
const SMS_WINDOW_MS = 10 * 60_000;
const SMS_PER_WINDOW = 5;

/** ZF0120 when the user asked for too many codes lately (each one is a text message to a real phone). */
export async function assertSmsAllowed(deps: Deps, userId: string): Promise<void> {
  if ((await countChallengesSince(deps.db, userId, deps.clock.now() - SMS_WINDOW_MS)) >= SMS_PER_WINDOW) fail('ZF0120', 'sms rate limit');
}

/**
 * Checks the code of a challenge: counts the try first, asks Payzero, and uses the challenge up on success.
 * Answers the agreement number. ZF0201 (+ remaining_tries) for a wrong code, ZF0202 when it is used, expired or out
 * of tries. A challenge whose time is up is refused before Payzero is asked.
 */
export async function checkSmsCode(deps: Deps, client: PayzeroClient, challenge: SmsChallenge, code: string): Promise<string> {
  const now = deps.clock.now();
  if (!(await takeChallengeTry(deps.db, challenge.id, SMS_MAX_TRIES, now)))
    fail('ZF0202', `challenge ${challenge.id} used, expired or out of tries`);
  const triesUsed = Number(challenge.tries) + 1;
  try {
    const { agreementNo } = await client.agreements.confirm(challenge.provider_request_no, code);
    if (!(await consumeChallenge(deps.db, challenge.id, deps.clock.now()))) fail('ZF0202', `challenge ${challenge.id} used concurrently`);
    return agreementNo;
  } catch (err) {
    if (!(err instanceof PayzeroError) || err.kind !== 'business') throw err;
    if (err.errorCode === PZ_AGREEMENT_CODES.SMS_CODE_WRONG && triesUsed < SMS_MAX_TRIES) {
      return fail('ZF0201', 'wrong sms code', { remaining_tries: SMS_MAX_TRIES - triesUsed });
    }
    await consumeChallenge(deps.db, challenge.id, deps.clock.now());
    return fail('ZF0202', `payzero ${err.errorCode ?? 'refused'} the sms code`);
  }
}
