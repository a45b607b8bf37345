// The insurer quota read (the quota book: running total + the records after its watermark) at 10 k, 1 M and 10 M
// api_core_v2 records, on SQLite and on a throwaway MariaDB, beside the seed's plain SUM (issue 9). `pnpm bench` runs
// it as its `quota` subject and writes the table into BENCHMARKS.md; `pnpm bench:quota` runs it alone.
// Method: one database per size, all loaded first; then the book is read round-robin — one read of each size in turn,
// so the machine's load (shared with other work) hits every size alike — and the ratio to the smallest size is of
// medians of reads made in the same seconds. The plain SUMs are read afterwards, in their own loop: a full scan of
// 10 M rows between two book reads would measure the page cache it evicted, not the book.
// Sizes: BENCH_QUOTA_SIZES=10000,1000000,10000000 (default); BENCH_QUOTA_DBS=sqlite,mariadb (default both; MariaDB
// needs mariadbd, or BENCH_MYSQL_URL=mysql://…/); BENCH_QUOTA_TAIL=200 records inside the settle lag (summed by every read).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { startThrowawayMariaDb } from '../../../scripts/mariadb.ts';
import { createRuntime, type Runtime } from '../src/bootstrap.ts';
import { testConfig } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';

const IC = 'BENCH';
const OTHERS = ['OTHER1', 'OTHER2', 'OTHER3'];
const TAIL = Number(process.env.BENCH_QUOTA_TAIL ?? 200); // records of the last few minutes, inside the settle lag: summed on every read
const CHUNK = 100_000; // records generated per INSERT … SELECT (one transaction each)
const WARM_UP = 50; // after a bulk load InnoDB is still merging index changes: let the first reads absorb it

export interface QuotaSizeResult {
  size: number;
  loadS: number;
  catchUpMs: number;
  bookMs: number;
  bookP90Ms: number;
  sumMs: number;
}

export interface QuotaDbResult {
  db: 'sqlite' | 'mariadb';
  rounds: number;
  sizes: QuotaSizeResult[];
}

export interface QuotaBenchOptions {
  sizes: number[];
  dbs: string[];
  /** Round-robin rounds of book reads (each reads every size once). */
  rounds?: number;
  sumReads?: number;
  log?: (line: string) => void;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/**
 * Appends `count` old records (half for the measured insurer; one in 1 000 a recharge), generated inside the database
 * — a recursive CTE on SQLite, MariaDB's built-in sequence engine there — 100 000 per statement and transaction.
 */
async function load(runtime: Runtime, dialect: 'sqlite' | 'mariadb', count: number, now: number): Promise<void> {
  const db = runtime.deps.db;
  const year = 365 * 86_400_000;
  const concat = (a: string, b: string) => (dialect === 'sqlite' ? `${a} || ${b}` : `concat(${a}, ${b})`);
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    const source =
      dialect === 'sqlite'
        ? `with recursive seq(i) as (select ${first} union all select i + 1 from seq where i < ${first + n - 1}) select`
        : `select`;
    const from = dialect === 'sqlite' ? 'from seq' : `from (select seq as i from seq_${first}_to_${first + n - 1}) s`;
    // Row i: id B<i>, an insurer, type, amount, ref bench:<i>, a time in the year before the last hour.
    const statement = `
      insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at)
      ${source} ${concat("'B'", 'i')},
             case when i % 2 = 0 then '${IC}' ${OTHERS.map((o, k) => `when i % ${OTHERS.length} = ${k} then '${o}'`).join(' ')} end,
             case when i % 1000 = 0 then 1 else 2 end,
             case when i % 1000 = 0 then 5000000 else 1 + i % 9999 end,
             ${concat("'bench:'", 'i')},
             ${now - 3600_000} - ((i * 7919) % 1000003) * ${year} ${dialect === 'sqlite' ? '/' : 'div'} 1000003
      ${from}`;
    await db.transaction().execute((trx) => sql.raw(statement).execute(trx));
  }
}

interface Loaded {
  size: number;
  runtime: Runtime;
  loadS: number;
  catchUpMs: number;
}

async function prepare(db: 'sqlite' | 'mariadb', url: string, size: number, now: number): Promise<Loaded> {
  const runtime = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'false' }), { logger: createLogger('silent') });
  const d = runtime.deps.db;
  // The recent tail: records of the last 5 minutes (inside the 10 min settle lag).
  const tail = Array.from(
    { length: TAIL },
    (_, i) => sql`(${`T${i}`}, ${IC}, 2, ${100 + (i % 1000)}, ${`tail:${i}`}, ${now - 300_000 + Math.floor((i * 300_000) / TAIL)})`,
  );
  for (let i = 0; i < tail.length; i += 500)
    await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values ${sql.join(tail.slice(i, i + 500))}`.execute(
      d,
    );
  const loadS = (await time(() => load(runtime, db, size, now))) / 1000;
  if (db === 'mariadb') await sql`analyze table insurer_quota_records`.execute(d);
  // The rows just loaded are older than the watermark: start the book afresh (its one-time catch-up scan).
  await d.deleteFrom('quota_totals').execute();
  const catchUpMs = await time(() => runtime.deps.quota.remaining(IC));
  for (let w = 0; w < WARM_UP; w++) await runtime.deps.quota.remaining(IC);
  return { size, runtime, loadS, catchUpMs };
}

async function measure(db: 'sqlite' | 'mariadb', loaded: Loaded[], rounds: number, sumReads: number): Promise<QuotaDbResult> {
  const book = loaded.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    // Each round starts at a different size, so no size always follows another's read.
    for (let k = 0; k < loaded.length; k++) {
      const i = (r + k) % loaded.length;
      book[i]!.push(await time(() => loaded[i]!.runtime.deps.quota.remaining(IC)));
    }
  }
  const sizes: QuotaSizeResult[] = [];
  for (const [i, l] of loaded.entries()) {
    const { quota } = l.runtime.deps;
    const sums: number[] = [];
    for (let r = 0; r < sumReads; r++) sums.push(await time(() => quota.fullSum(IC)));
    const [fast, full] = [await quota.remaining(IC), await quota.fullSum(IC)];
    if (fast !== full) throw new Error(`${db} ${l.size}: book ${fast} ≠ SUM ${full}`);
    sizes.push({
      size: l.size,
      loadS: l.loadS,
      catchUpMs: l.catchUpMs,
      bookMs: quantile(book[i]!, 0.5),
      bookP90Ms: quantile(book[i]!, 0.9),
      sumMs: quantile(sums, 0.5),
    });
  }
  return { db, rounds, sizes };
}

async function runOne(db: 'sqlite' | 'mariadb', urlFor: (size: number) => Promise<string>, o: Required<QuotaBenchOptions>) {
  const now = Date.now();
  const loaded: Loaded[] = [];
  try {
    for (const size of o.sizes) {
      const l = await prepare(db, await urlFor(size), size, now);
      loaded.push(l);
      o.log(`quota ${db} ${size} records: load ${l.loadS.toFixed(1)} s, first read (catch-up) ${l.catchUpMs.toFixed(1)} ms`);
    }
    const result = await measure(db, loaded, o.rounds, o.sumReads);
    const base = result.sizes[0]!;
    for (const s of result.sizes)
      o.log(
        `quota ${db} ${s.size}: book ${s.bookMs.toFixed(3)} ms (p90 ${s.bookP90Ms.toFixed(3)}, ×${(s.bookMs / base.bookMs).toFixed(2)}), plain SUM ${s.sumMs.toFixed(2)} ms — equal`,
      );
    return result;
  } finally {
    for (const l of loaded) await l.runtime.close();
  }
}

/** Runs the quota benchmark on the databases asked for; MariaDB is skipped (logged) when neither mariadbd nor BENCH_MYSQL_URL. */
export async function benchQuota(opts: QuotaBenchOptions): Promise<QuotaDbResult[]> {
  const o: Required<QuotaBenchOptions> = { rounds: 301, sumReads: 5, log: console.log, ...opts };
  const results: QuotaDbResult[] = [];
  if (o.dbs.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'zf-bench-quota-'));
    try {
      results.push(await runOne('sqlite', async (size) => `sqlite:${join(dir, `quota-${size}.db`)}`, o));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (o.dbs.includes('mariadb')) {
    const external = process.env.BENCH_MYSQL_URL;
    // 10 M records with their four indexes are ≈ 2 GB: a buffer pool that holds them (and a bigger redo log) makes the
    // load minutes, not the hour the default 128 MB pool took; the reads measured are of a warm pool either way.
    const big = Math.max(...o.sizes) > 1_000_000;
    const server = external
      ? null
      : await startThrowawayMariaDb({ extraArgs: big ? ['--innodb-buffer-pool-size=3G', '--innodb-log-file-size=1G'] : [] });
    const base = external ?? server?.url;
    if (!base) o.log('quota mariadb: skipped (no mariadbd, no BENCH_MYSQL_URL)');
    else {
      const { createPool } = await import('mysql2/promise');
      const admin = createPool({ uri: base, connectionLimit: 1 });
      const names: string[] = [];
      try {
        results.push(
          await runOne(
            'mariadb',
            async (size) => {
              const name = `zf_bench_quota_${size}`;
              await admin.query(`DROP DATABASE IF EXISTS ${name}`);
              await admin.query(`CREATE DATABASE ${name}`);
              names.push(name);
              return `${base.replace(/\/+$/, '')}/${name}`;
            },
            o,
          ),
        );
      } finally {
        for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => {});
        await admin.end();
        await server?.stop();
      }
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = (process.env.BENCH_QUOTA_SIZES ?? '10000,1000000,10000000').split(',').map(Number);
  const dbs = (process.env.BENCH_QUOTA_DBS ?? 'sqlite,mariadb').split(',');
  const results = await benchQuota({ sizes, dbs });
  for (const r of results) {
    const base = r.sizes[0]!;
    for (const s of r.sizes.slice(1)) {
      const ratio = s.bookMs / base.bookMs;
      console.log(
        `${r.db} ${s.size}/${base.size}: book ×${ratio.toFixed(2)} ${ratio <= 1.5 ? '(flat, ≤ 1.5×)' : '(NOT flat)'}; plain SUM ×${(s.sumMs / base.sumMs).toFixed(1)}`,
      );
    }
  }
}
