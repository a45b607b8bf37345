// The payment PIN check: each try is counted atomically before the PIN is verified, a lock ends after a set time,
// and stored hashes move to the current keyed hash on the next correct entry.
import type { Deps } from '../../deps.ts';
import { DomainError, fail } from '../../http/errors.ts';
import { hashPin, verifyPin } from '../../lib/pin-hash.ts';
import { pinState } from './balance.repository.ts';
import { acceptPin, claimPinTry, endPinLock, lockPinPastLimit } from './pin.repository.ts';

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
 * The try is claimed first by one conditional UPDATE that only matches while the PIN is unlocked and below the
 * limit ({@link claimPinTry}). The claim that reaches the limit sets the lock itself, so parallel tries beyond the
 * limit are refused before any PIN is checked, and a crash between claim and verdict still leaves a lock that ends.
 * A correct PIN resets the count (and lifts the lock its own claim set).
 */
export async function checkPin(deps: Deps, userId: string, pin: string): Promise<void> {
  const { db, clock, config } = deps;
  const { lockMs } = config.pin;
  const maxTries = config.pinMaxTries;
  const user = await pinState(db, userId);
  if (pinLockedUntil(user.pin_locked_at, lockMs, clock.now()) !== null) fail('ZF0110');
  // ZF0203: the H5 offers to set one (an SMS code to a bound card's phone, pin-setup.service.ts).
  if (user.pin_hash === null) return fail('ZF0203', 'no PIN set');
  if (user.pin_locked_at !== null) await endPinLock(db, userId, clock.now() - lockMs);

  const now = clock.now();
  if (!(await claimPinTry(db, userId, maxTries, now))) {
    await lockPinPastLimit(db, userId, maxTries, now);
    fail('ZF0110', 'no PIN try left');
  }
  const check = await verifyPin(config.pin, pin, user.pin_hash);
  if (check.ok) return acceptPin(db, userId, check.upgrade ? hashPin(config.pin, pin) : null);

  const after = await pinState(db, userId);
  if (after.pin_locked_at !== null) fail('ZF0110');
  throw new DomainError('ZF0090', 'wrong PIN', { reason: 'wrong_pin', remaining_tries: Math.max(1, maxTries - Number(after.pin_failed)) });
}
