// Small Kysely functions over the wallet PIN columns of users; `db` first (a transaction works too).
import { compiled } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';

export interface PinState {
  pin_hash: string | null;
  pin_failed: number;
  pin_locked_at: number | null;
}

// Read by every balance payment: compiled once per dialect (db/compiled-query.ts).
const pinOfUser = compiled((db, p: { userId: string }) =>
  db.selectFrom('users').select(['pin_hash', 'pin_failed', 'pin_locked_at']).where('id', '=', p.userId),
);

export async function pinState(db: Db, userId: string): Promise<PinState> {
  const row = await pinOfUser.first(db, { userId });
  if (!row) throw new Error(`user ${userId} not found`);
  return row;
}

/** A new PIN (set, or reset after an SMS check): also clears the try count and the lock (a reset unlocks). */
export async function setPinHash(db: Db, userId: string, pinHash: string): Promise<void> {
  await db.updateTable('users').set({ pin_hash: pinHash, pin_failed: 0, pin_locked_at: null }).where('id', '=', userId).execute();
}
