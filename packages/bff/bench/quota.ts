// `pnpm bench:quota`: the insurer quota read (the quota book: running total + the records after its watermark) at
// 10 k, 1 M and 10 M api_core_v2 records, on SQLite and on a throwaway MariaDB, beside the seed's plain SUM.
// Reports the median read time per size and the ratio between sizes; the book must stay flat (≤ 1.5×) and equal the
// SUM exactly. Not part of the tests. Sizes: BENCH_QUOTA_SIZES=10000,1000000,10000000 (default);
// BENCH_QUOTA_DBS=sqlite,mariadb (default both; MariaDB needs mariadbd, or BENCH_MYSQL_URL=mysql://…/).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startThrowawayMariaDb } from '../../../scripts/mariadb.ts';
import { createRuntime, type Runtime } from '../src/bootstrap.ts';
import { testConfig } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';

const IC = 'BENCH';
const OTHERS = ['OTHER1', 'OTHER2', 'OTHER3'];
const TAIL = 200; // records of the last few minutes, inside the settle lag: summed on every read
const CHUNK = 100_000; // records generated per INSERT … SELECT (one transaction each)
const READS = 31;
const WARM_UP = 20; // after a bulk load InnoDB is still merging index changes: let the first reads absorb it

const sizes = (process.env.BENCH_QUOTA_SIZES ?? '10000,1000000,10000000').split(',').map(Number);
const dbs = (process.env.BENCH_QUOTA_DBS ?? 'sqlite,mariadb').split(',');

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Appends `count` old records (half for the measured insurer; one in 1 000 a recharge), generated inside the database
 * by a recursive CTE, 100 000 per statement and transaction: 10 M records load in minutes, not hours of bound rows.
 */
async function load(runtime: Runtime, dialect: 'sqlite' | 'mariadb', from: number, count: number, now: number): Promise<void> {
  const db = runtime.deps.db;
  const year = 365 * 86_400_000;
  const concat = (a: string, b: string) => (dialect === 'sqlite' ? `${a} || ${b}` : `concat(${a}, ${b})`);
  for (let done = 0; done < count;) {
    const n = Math.min(CHUNK, count - done);
    const first = from + done;
    // Row i: the same values the bound-row loader wrote (id B<i>, ic, type, amount, ref bench:<i>, a time in the last year).
    const statement = `
      insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at)
      with recursive seq(i) as (select ${first} union all select i + 1 from seq where i < ${first + n - 1})
      select ${concat("'B'", 'i')}, case when i % 2 = 0 then '${IC}' ${OTHERS.map((o, k) => `when i % ${OTHERS.length} = ${k} then '${o}'`).join(' ')} end,
             case when i % 1000 = 0 then 1 else 2 end,
             case when i % 1000 = 0 then 5000000 else 1 + i % 9999 end,
             ${concat("'bench:'", 'i')},
             ${now - 3600_000} - ((i * 7919) % 1000003) * ${year} ${dialect === 'sqlite' ? '/' : 'div'} 1000003
      from seq`;
    await db.transaction().execute(async (trx) => {
      if (dialect === 'mariadb') await sql.raw('set session max_recursive_iterations = 4294967295').execute(trx);
      await sql.raw(statement).execute(trx);
    });
    done += n;
  }
}

async function benchOne(name: string, url: string): Promise<void> {
  const runtime = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'false' }), { logger: createLogger('silent') });
  const { quota, db } = runtime.deps;
  const now = Date.now();
  try {
    // The recent tail: records of the last 5 minutes (inside the 10 min settle lag).
    const tail = Array.from(
      { length: TAIL },
      (_, i) => sql`(${`T${i}`}, ${IC}, 2, ${100 + i}, ${`tail:${i}`}, ${now - 300_000 + i * 1000})`,
    );
    await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values ${sql.join(tail)}`.execute(db);
    let loaded = 0;
    const results: Array<{ size: number; book: number; sum: number }> = [];
    for (const size of sizes) {
      const t = await time(() => load(runtime, name === 'sqlite' ? 'sqlite' : 'mariadb', loaded, size - loaded, now));
      loaded = size;
      if (name === 'mariadb') await sql`analyze table insurer_quota_records`.execute(db);
      // The rows just loaded are older than the watermark: start the book afresh (its one-time catch-up scan).
      await db.deleteFrom('quota_totals').execute();
      const catchUp = await time(() => quota.remaining(IC));
      for (let w = 0; w < WARM_UP; w++) await quota.remaining(IC);
      const book: number[] = [];
      const sum: number[] = [];
      for (let r = 0; r < READS; r++) {
        book.push(await time(() => quota.remaining(IC)));
        sum.push(await time(() => quota.fullSum(IC)));
      }
      const [fast, full] = [await quota.remaining(IC), await quota.fullSum(IC)];
      if (fast !== full) throw new Error(`${name} ${size}: book ${fast} ≠ SUM ${full}`);
      results.push({ size, book: median(book), sum: median(sum) });
      console.log(
        `${name.padEnd(7)} ${String(size).padStart(9)} records: load ${(t / 1000).toFixed(1)} s, first read (catch-up) ${catchUp.toFixed(1)} ms, book ${median(book).toFixed(3)} ms, plain SUM ${median(sum).toFixed(3)} ms, equal`,
      );
    }
    const base = results[0]!;
    for (const r of results.slice(1)) {
      const ratio = r.book / base.book;
      console.log(
        `${name.padEnd(7)} ${r.size}/${base.size}: book ×${ratio.toFixed(2)} ${ratio <= 1.5 ? '(flat, ≤ 1.5×)' : '(NOT flat)'}; plain SUM ×${(r.sum / base.sum).toFixed(1)}`,
      );
    }
  } finally {
    await runtime.close();
  }
}

async function main(): Promise<void> {
  if (dbs.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'zf-bench-quota-'));
    try {
      await benchOne('sqlite', `sqlite:${join(dir, 'bench.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (dbs.includes('mariadb')) {
    const external = process.env.BENCH_MYSQL_URL;
    const server = external ? null : await startThrowawayMariaDb();
    const base = external ?? server?.url;
    if (!base) console.log('mariadb: skipped (no mariadbd, no BENCH_MYSQL_URL)');
    else {
      try {
        const { createPool } = await import('mysql2/promise');
        const admin = createPool({ uri: base, connectionLimit: 1 });
        await admin.query('CREATE DATABASE IF NOT EXISTS zf_bench_quota');
        await admin.end();
        await benchOne('mariadb', `${base.replace(/\/+$/, '')}/zf_bench_quota`);
        const drop = createPool({ uri: base, connectionLimit: 1 });
        await drop.query('DROP DATABASE zf_bench_quota');
        await drop.end();
      } finally {
        await server?.stop();
      }
    }
  }
}

await main();
