// Small Kysely functions over rate_limits; `db` first (a transaction works too).
import { sql } from 'kysely';
import { compiledVariants, rawQuery } from '../../db/compiled-query.ts';
import type { Db, Dialect } from '../../db/database.ts';

/** One window's counter: the bucket key (name, subject and window start) and when the window ends. */
export interface BucketHit {
  bucket: string;
  expiresAt: number;
}

/**
 * Adds one hit to each window's counter and returns the counts (in the order given), atomically on every engine:
 * one upsert statement for all of them (SQLite `ON CONFLICT … DO UPDATE … RETURNING`, which answers the counts this
 * statement made; MySQL/MariaDB/TiDB one `ON DUPLICATE KEY UPDATE … LAST_INSERT_ID(hits + 1)` per window, outside any
 * transaction, each answering exactly the count it made). No read-then-write, no locks held across requests. Buckets must differ.
 */
export async function hitBuckets(db: Db, dialect: Dialect, hits: BucketHit[]): Promise<number[]> {
  // Compiled once per number of buckets (db/compiled-query.ts): every request counts its limits here.
  const params: Record<string, string | number> = {};
  hits.forEach((h, i) => {
    params[`b${i}`] = h.bucket;
    params[`e${i}`] = h.expiresAt;
  });
  const buckets = hits.map((h) => h.bucket);
  let rows: Array<{ bucket: string; hits: number }>;
  if (dialect === 'mysql') {
    // One autocommit statement per counter, which answers its own count: a new row (1 row affected) counts 1, an
    // updated one (2) hands its new count back through LAST_INSERT_ID(expr) as the statement's insert id. A hot
    // counter (every payment from one IP) is locked for that one statement only, not for a transaction's round trips.
    rows = [];
    for (const h of hits) {
      const r =
        await sql`INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (${h.bucket}, 1, ${h.expiresAt}) ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)`.execute(
          db,
        );
      rows.push({ bucket: h.bucket, hits: Number(r.numAffectedRows) === 1 ? 1 : Number(r.insertId) });
    }
  } else rows = await upsertSqlite(hits.length).rows(db, params);
  const count = new Map(rows.map((r) => [r.bucket, Number(r.hits)]));
  return buckets.map((b) => {
    const n = count.get(b);
    if (n === undefined) throw new Error(`rate limit bucket ${b} not counted`);
    return n;
  });
}

type Hits = Record<string, string | number>;
const valuesOf = (p: Hits, n: number) => sql.join(Array.from({ length: n }, (_, i) => sql`(${p[`b${i}`]}, 1, ${p[`e${i}`]})`));
const upsertSqlite = compiledVariants((db, p: Hits, n: number) =>
  rawQuery(
    db,
    sql<{
      bucket: string;
      hits: number;
    }>`INSERT INTO rate_limits (bucket, hits, expires_at) VALUES ${valuesOf(p, n)} ON CONFLICT (bucket) DO UPDATE SET hits = hits + 1 RETURNING bucket, hits`,
  ),
);

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
