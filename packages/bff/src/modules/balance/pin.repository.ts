// Small Kysely functions over the PIN try counter of users, each one statement checked by its affected rows (no
// `SELECT … FOR UPDATE`, so they behave the same on SQLite, MySQL/MariaDB and TiDB); `db` first.
import { sql, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import { compiled } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/tables.ts';

/**
 * Honours one PIN try whose verdict (`ok`) was computed against `storedHash`: one conditional UPDATE that matches only
 * while the PIN is unlocked, below `maxTries` and still `storedHash`. A right try resets the count (storing
 * `upgradedHash` when given); a wrong one counts, and the one reaching the limit sets the lock. True when the try was
 * honoured; false when it was refused (locked, at the limit, or the PIN changed meanwhile) — its verdict is then never
 * told. The row lock orders parallel tries, so no more than `maxTries` wrong verdicts are honoured before the lock.
 */
export async function honourPinTry(
  db: Db,
  t: { userId: string; storedHash: string; ok: boolean; upgradedHash: string | null; maxTries: number; now: number },
): Promise<boolean> {
  const stmt = !t.ok ? pinTry.wrong : t.upgradedHash === null ? pinTry.right : pinTry.rightUpgraded;
  return (await stmt.affected(db, { ...t, upgradedHash: t.upgradedHash ?? '' })) === 1;
}

type PinTry = { userId: string; storedHash: string; upgradedHash: string; maxTries: number; now: number };
/** The honoured try's update, only while the PIN is unlocked, below the limit and still `storedHash`. */
const honoured = (q: UpdateQueryBuilder<Database, 'users', 'users', UpdateResult>, p: PinTry) =>
  q.where('id', '=', p.userId).where('pin_hash', '=', p.storedHash).where('pin_locked_at', 'is', null).where('pin_failed', '<', p.maxTries);
// Run by every balance payment: compiled once per dialect (db/compiled-query.ts).
const pinTry = {
  right: compiled((db, p: PinTry) => honoured(db.updateTable('users').set({ pin_failed: 0, pin_locked_at: null }), p)),
  rightUpgraded: compiled((db, p: PinTry) =>
    honoured(db.updateTable('users').set({ pin_failed: 0, pin_locked_at: null, pin_hash: p.upgradedHash }), p),
  ),
  wrong: compiled((db, p: PinTry) =>
    honoured(
      db.updateTable('users').set({
        // pin_locked_at comes first and reads pin_failed's old value: MySQL evaluates SET left to right with the values
        // already assigned, SQLite with the old ones; in this order both compute the same row.
        pin_locked_at: sql<number | null>`case when ${sql.ref('pin_failed')} + 1 >= ${p.maxTries} then ${p.now} else null end`,
        pin_failed: sql<number>`${sql.ref('pin_failed')} + 1`,
      }),
      p,
    ),
  ),
};

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
