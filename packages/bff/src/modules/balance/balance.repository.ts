// Small Kysely functions over the wallet PIN columns of users; `db` first (a transaction works too).
import type { Db } from '../../db/database.ts';

export interface PinState {
  pin_hash: string | null;
  pin_failed: number;
  pin_locked_at: number | null;
}

export function pinState(db: Db, userId: string): Promise<PinState> {
  return db.selectFrom('users').select(['pin_hash', 'pin_failed', 'pin_locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
}

export async function resetPinFailures(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ pin_failed: 0 }).where('id', '=', userId).execute();
}

/** Counts a wrong PIN and locks the PIN at `maxTries`; answers the count. */
export async function countPinFailure(db: Db, userId: string, maxTries: number, now: number): Promise<number> {
  await db.updateTable('users').set((eb) => ({ pin_failed: eb('pin_failed', '+', 1) })).where('id', '=', userId).execute();
  const row = await db.selectFrom('users').select('pin_failed').where('id', '=', userId).executeTakeFirstOrThrow();
  const count = Number(row.pin_failed);
  if (count >= maxTries) await db.updateTable('users').set({ pin_locked_at: now }).where('id', '=', userId).where('pin_locked_at', 'is', null).execute();
  return count;
}
