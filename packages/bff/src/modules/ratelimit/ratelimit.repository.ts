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
 * statement made; MySQL/MariaDB/TiDB `ON DUPLICATE KEY UPDATE`, then one read — run it in a transaction so the read
 * sees exactly the counts this hit made). No read-then-write, no locks held across requests. Buckets must differ.
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
    await upsertMysql(hits.length).execute(db, params);
    rows = await bucketsIn(hits.length).rows(db, params);
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
const upsertMysql = compiledVariants((db, p: Hits, n: number) =>
  rawQuery(db, sql`INSERT INTO rate_limits (bucket, hits, expires_at) VALUES ${valuesOf(p, n)} ON DUPLICATE KEY UPDATE hits = hits + 1`),
);
const bucketsIn = compiledVariants((db, p: Hits, n: number) =>
  db
    .selectFrom('rate_limits')
    .select(['bucket', 'hits'])
    .where(
      'bucket',
      'in',
      Array.from({ length: n }, (_, i) => p[`b${i}`] as string),
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
