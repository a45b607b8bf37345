// Small Kysely functions over rate_limits; `db` first (a transaction works too).
import { sql } from 'kysely';
import type { Db, Dialect } from '../../db/database.ts';

/**
 * Adds one hit to a window's counter and returns the count, atomically on every engine: one upsert statement
 * (SQLite `ON CONFLICT … DO UPDATE`, MySQL/MariaDB/TiDB `ON DUPLICATE KEY UPDATE`) — no read-then-write, no locks
 * held across requests. Run it in a transaction so the read sees exactly the count this hit made.
 */
export async function hitBucket(db: Db, dialect: Dialect, bucket: string, expiresAt: number): Promise<number> {
  if (dialect === 'mysql') {
    await sql`INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (${bucket}, 1, ${expiresAt}) ON DUPLICATE KEY UPDATE hits = hits + 1`.execute(
      db,
    );
  } else {
    await sql`INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (${bucket}, 1, ${expiresAt}) ON CONFLICT (bucket) DO UPDATE SET hits = hits + 1`.execute(
      db,
    );
  }
  const row = await db.selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirstOrThrow();
  return Number(row.hits);
}

/** Deletes counters whose window has ended; returns how many. */
export async function deleteExpiredBuckets(db: Db, now: number, limit: number): Promise<number> {
  const rows = await db.selectFrom('rate_limits').select('bucket').where('expires_at', '<', now).limit(limit).execute();
  if (!rows.length) return 0;
  const res = await db
    .deleteFrom('rate_limits')
    .where(
      'bucket',
      'in',
      rows.map((r) => r.bucket),
    )
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
