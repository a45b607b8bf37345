// The payment PIN check: each try is counted atomically before the PIN is verified, a lock ends after a set time,
// and stored hashes move to the current keyed hash on the next correct entry.
import type { Deps } from '../../deps.ts';
import { DomainError, fail } from '../../http/errors.ts';
import { hashPin, verifyPin } from '../../lib/pin-hash.ts';
import { pinState } from './balance.repository.ts';
import { endPinLock, honourPinTry, lockPinPastLimit } from './pin.repository.ts';

/** When a PIN locked at `lockedAt` unlocks, or null when it is not locked at `now`. */
export function pinLockedUntil(lockedAt: number | null, lockMs: number, now: number): number | null {
  if (lockedAt === null) return null;
  const until = Number(lockedAt) + lockMs;
  return until > now ? until : null;
}

/**
 * Verifies the user's payment PIN. ZF0203 without a PIN, ZF0110 while locked (also for a try refused because the
 * last tries are taken), ZF0090 (wrong_pin) with the tries left.
 *
 * The verdict is computed first but only told once the try is honoured by one conditional UPDATE that matches while
 * the PIN is unlocked, below the limit and unchanged ({@link honourPinTry}): it counts a wrong try (the one reaching
 * the limit sets the lock) or resets the count on a right one, in the same statement. Parallel guesses are ordered by
 * the row lock, so at most the limit of wrong verdicts is honoured and every try after the lock is refused unseen,
 * the right one too; parallel right PINs of the user (several payments at once) never use up tries, and no count is
 * held across the verification (nothing to leave behind in a crash).
 */
export async function checkPin(deps: Deps, userId: string, pin: string): Promise<void> {
  const { db, clock, config } = deps;
  const { lockMs } = config.pin;
  const maxTries = config.pinMaxTries;
  // A try is checked again (at most twice) when the stored PIN changed during its check: a parallel right entry
  // upgraded the hash, or the PIN was reset.
  for (let round = 0; ; round++) {
    const user = await pinState(db, userId);
    if (pinLockedUntil(user.pin_locked_at, lockMs, clock.now()) !== null) fail('ZF0110');
    // ZF0203: the H5 offers to set one (an SMS code to a bound card's phone, pin-setup.service.ts).
    if (user.pin_hash === null) return fail('ZF0203', 'no PIN set');
    if (user.pin_locked_at !== null) await endPinLock(db, userId, clock.now() - lockMs);

    const now = clock.now();
    const check = await verifyPin(config.pin, pin, user.pin_hash);
    const upgradedHash = check.ok && check.upgrade ? hashPin(config.pin, pin) : null;
    if (await honourPinTry(db, { userId, storedHash: user.pin_hash, ok: check.ok, upgradedHash, maxTries, now })) {
      if (check.ok) return;
      break;
    }
    const changed = (await pinState(db, userId)).pin_hash !== user.pin_hash;
    if (changed && round < 2) continue;
    // Refused: locked meanwhile, or a count left at the limit without a lock (a lowered PIN_MAX_TRIES): lock it, so it ends.
    await lockPinPastLimit(db, userId, maxTries, now);
    fail('ZF0110', 'no PIN try left');
  }

  const after = await pinState(db, userId);
  if (after.pin_locked_at !== null) fail('ZF0110');
  throw new DomainError('ZF0090', 'wrong PIN', { reason: 'wrong_pin', remaining_tries: Math.max(1, maxTries - Number(after.pin_failed)) });
}
