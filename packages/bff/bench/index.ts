// `pnpm bench`: speed targets as ratios against a baseline measured in the same process (never absolute times).
// Each case runs its baseline and its subject interleaved, several rounds, and reports the median ratio.
import { parseYuan, quote } from '@zf/shared';
import { testConfig } from '../src/env.ts';
import { createRuntime } from '../src/bootstrap.ts';
import { inTransaction } from '../src/db/database.ts';
import { Accounts, checkLedger, transfer } from '../src/ledger/ledger.ts';
import { createLogger } from '../src/lib/logger.ts';

interface Case {
  name: string;
  /** The subject may take at most this many times the baseline (median of rounds). */
  maxRatio: number;
  baseline(): Promise<void> | void;
  subject(): Promise<void> | void;
}

async function time(fn: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const runtime = await createRuntime(testConfig({ DATABASE_URL: 'sqlite::memory:', SEED_DEMO: 'true' }), {
    logger: createLogger('silent'),
  });
  const { db } = runtime.deps;
  let n = 0;
  const now = Date.now();
  const strings = Array.from({ length: 20_000 }, (_, i) => `${i}.${String(i % 100).padStart(2, '0')}`);

  const cases: Case[] = [
    {
      name: 'parseYuan (exact) vs Number() (float) over 20k amounts',
      maxRatio: 8,
      baseline: () => {
        let s = 0;
        for (const x of strings) s += Math.round(Number(x) * 100);
        if (s < 0) throw new Error('unreachable');
      },
      subject: () => {
        let s = 0;
        for (const x of strings) s += parseYuan(x) ?? 0;
        if (s < 0) throw new Error('unreachable');
      },
    },
    {
      name: 'quote() vs plain arithmetic over 20k amounts',
      maxRatio: 10,
      baseline: () => {
        let s = 0;
        for (let i = 1; i <= 20_000; i++) s += Math.floor((i * 8000) / 10000);
        if (s < 0) throw new Error('unreachable');
      },
      subject: () => {
        let s = 0;
        for (let i = 1; i <= 20_000; i++) s += quote(i, { ratioBp: 8000, deductibleFen: 0, coverageLeftFen: 1_000_000 }).insurerFen;
        if (s < 0) throw new Error('unreachable');
      },
    },
    {
      name: 'ledger transfer (checked, double-entry, idempotent) vs one raw row insert, 200 per round, SQLite',
      // Five statements against one; measured 7.5–9.8× here. 15× leaves room for noise, catches a regression.
      maxRatio: 15,
      baseline: () =>
        inTransaction(db, async (trx) => {
          for (let i = 0; i < 200; i++) {
            await trx
              .insertInto('audit_log')
              .values({ id: `B${n++}`, actor: 'bench', action: 'insert', target: null, detail: null, created_at: now })
              .execute();
          }
        }),
      subject: () =>
        inTransaction(db, async (trx) => {
          for (let i = 0; i < 200; i++) {
            await transfer(trx, {
              key: `bench:${n++}`,
              from: Accounts.world,
              to: Accounts.merchant('bench'),
              amountFen: 1,
              memo: 'bench',
              now,
            });
          }
        }),
    },
  ];

  let failed = 0;
  for (const c of cases) {
    await c.baseline();
    await c.subject(); // warm-up
    const ratios: number[] = [];
    for (let round = 0; round < 7; round++) {
      const b = await time(c.baseline);
      const s = await time(c.subject);
      ratios.push(s / Math.max(b, 1e-3));
    }
    const r = median(ratios);
    const ok = r <= c.maxRatio;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'SLOW'} ${r.toFixed(2)}× baseline (target ≤ ${c.maxRatio}×)  ${c.name}`);
  }
  const check = await checkLedger(db);
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log(
    `ledger after bench: cash ${check.bookTotals.cash}, quota ${check.bookTotals.quota}, drifted ${check.drifted.length}; heap ${heapMb.toFixed(1)} MB`,
  );
  await runtime.close();
  if (failed || check.bookTotals.cash !== 0) process.exit(1);
}

await main();
