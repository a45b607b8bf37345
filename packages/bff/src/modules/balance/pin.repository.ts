// Small Kysely functions over the PIN try counter of users, each one statement checked by its affected rows (no
// `SELECT … FOR UPDATE`, so they behave the same on SQLite, MySQL/MariaDB and TiDB); `db` first.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * Claims one PIN try: matches only while the PIN is unlocked and below `maxTries`; the claim reaching the limit also
 * sets the lock. True when this caller got the try.
 */
export async function claimPinTry(db: Db, userId: string, maxTries: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('users')
    // pin_locked_at comes first and reads pin_failed's old value: MySQL evaluates SET left to right with the values
    // already assigned, SQLite with the old ones; in this order both compute the same row.
    .set({
      pin_locked_at: sql<number | null>`case when ${sql.ref('pin_failed')} + 1 >= ${maxTries} then ${now} else null end`,
      pin_failed: sql<number>`${sql.ref('pin_failed')} + 1`,
    })
    .where('id', '=', userId)
    .where('pin_locked_at', 'is', null)
    .where('pin_failed', '<', maxTries)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Ends a lock set at or before `lockedBefore` and starts the count again; a lock set later stays. */
export async function endPinLock(db: Db, userId: string, lockedBefore: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ pin_failed: 0, pin_locked_at: null })
    .where('id', '=', userId)
    .where('pin_locked_at', '<=', lockedBefore)
    .execute();
}

/** Locks a PIN already at or past `maxTries` without a lock (PIN_MAX_TRIES lowered since), so it ends like any lock. */
export async function lockPinPastLimit(db: Db, userId: string, maxTries: number, now: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ pin_locked_at: now })
    .where('id', '=', userId)
    .where('pin_locked_at', 'is', null)
    .where('pin_failed', '>=', maxTries)
    .execute();
}

/** After a correct PIN: no tries counted, no lock, and the hash replaced when it is to be upgraded. */
export async function acceptPin(db: Db, userId: string, upgradedHash: string | null): Promise<void> {
  await db
    .updateTable('users')
    .set({ pin_failed: 0, pin_locked_at: null, ...(upgradedHash === null ? {} : { pin_hash: upgradedHash }) })
    .where('id', '=', userId)
    .execute();
}
