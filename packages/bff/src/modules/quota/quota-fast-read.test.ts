// The fast quota read (issue 11): the ledger's mirror plus a snapshot of what the records hold beyond it, taken at
// most every QUOTA_FOREIGN_REFRESH_MS. Our payments — from this instance or another — count at once; a record another
// system writes counts after the refresh; a recharge it writes is mirrored once and never counted twice; the read
// costs no pass over the records while the snapshot is fresh, however many payments the tail holds.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type LogEvent } from 'kysely';
import { expect, it } from 'vitest';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { newId } from '../../lib/ids.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { resumeSettlements } from '../settlement/settlement.service.ts';
import { QuotaRepository } from './quota.repository.ts';

const REFRESH = 1000; // the default QUOTA_FOREIGN_REFRESH_MS

const tailReads: string[] = [];
let counting = false;
const log = (e: LogEvent) => {
  if (counting && e.level === 'query' && /^select sum\(/i.test(e.query.sql) && /insurer_quota_records/i.test(e.query.sql))
    tailReads.push(e.query.sql);
};

async function outsideRecord(ctx: TestContext, ic: string, type: 1 | 2, amount: number, refNo: string): Promise<void> {
  const now = ctx.clock.now();
  await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values (${newId('EXT', now)}, ${ic}, ${type}, ${amount}, ${refNo}, ${now})`.execute(
    ctx.deps.db,
  );
}

/** A second BFF instance's repository on the same database (its own snapshot, as another process has). */
function otherInstance(ctx: TestContext): QuotaRepository {
  return new QuotaRepository(
    ctx.deps.db,
    { insurerTable: ctx.deps.config.quota.insurerTable, recordTable: ctx.deps.config.quota.recordTable },
    {
      ours: ctx.deps.db,
      clock: ctx.clock,
      settleLagMs: ctx.deps.config.quota.settleLagMs,
      dialect: ctx.deps.dialect,
      shared: true,
      foreignRefreshMs: REFRESH,
    },
  );
}

/** Another system's deduction of `amountFen` (written by `write`): unseen until the snapshot is due, then counted. */
async function seenAfterTheRefresh(ctx: TestContext, quota: QuotaRepository, amountFen: number, write: () => unknown): Promise<void> {
  const before = await quota.remaining('PICC');
  await write();
  expect(await quota.remaining('PICC')).toBe(before);
  ctx.clock.advance(REFRESH);
  expect(await quota.remaining('PICC')).toBe(before - amountFen);
  expect(await quota.remaining('PICC')).toBe(await quota.fullSum('PICC'));
}

async function pay(ctx: TestContext, refer: string): Promise<void> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: refer });
  const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' });
  expect(paid.status).toBe(200);
}

describeEachDatabase(
  'fast quota read',
  (get) => {
    it("counts every instance's payments at once and another system's records after the refresh, each once", async () => {
      const ctx = get();
      const a = ctx.deps.quota;
      const b = otherInstance(ctx);
      const full = () => a.fullSum('PICC');
      expect(await a.remaining('PICC')).toBe(await full());
      expect(await b.remaining('PICC')).toBe(await full());

      // A payment through instance A (¥80.00 insurer share): B's snapshot predates it, B still counts it.
      await pay(ctx, 'REF-FAST-1');
      expect(await b.remaining('PICC')).toBe(await full());
      expect(await a.remaining('PICC')).toBe(await full());

      await seenAfterTheRefresh(ctx, a, 5_000, () => outsideRecord(ctx, 'PICC', 2, 5_000, 'ext:D-1'));

      // Another system's recharge: counted after the refresh, mirrored into the ledger once, never twice — by either instance.
      await outsideRecord(ctx, 'PICC', 1, 7_000, 'ext:R-1');
      ctx.clock.advance(REFRESH);
      expect(await b.remaining('PICC')).toBe(await full());
      expect(await a.remaining('PICC')).toBe(await full());
      ctx.clock.advance(REFRESH);
      expect(await a.remaining('PICC')).toBe(await full());
      expect(await b.remaining('PICC')).toBe(await full());
      const mirrors = await ctx.deps.db
        .selectFrom('ledger_transfers')
        .select(['amount_fen'])
        .where('idempotency_key', '=', 'quota:recharge:ext:R-1')
        .execute();
      expect(mirrors.map((m) => Number(m.amount_fen))).toEqual([7_000]);

      // Our recharge (the console's, a refund's) counts at once on the instance that made it.
      await a.recharge('PICC', 3_000, 'RC-FAST-1', ctx.clock.now());
      expect(await a.remaining('PICC')).toBe(await full());
      expect(await a.remaining('PICC')).toBe(await a.remainingExact('PICC'));
    });

    it('reads no records while the snapshot is fresh, however many payments its tail holds', async () => {
      const ctx = get();
      await pay(ctx, 'REF-TAIL-0'); // takes the snapshot
      counting = true;
      tailReads.length = 0;
      for (let i = 1; i <= 5; i++) await pay(ctx, `REF-TAIL-${i}`);
      counting = false;
      expect(tailReads).toEqual([]);
      expect(await ctx.deps.quota.remaining('PICC')).toBe(await ctx.deps.quota.fullSum('PICC'));
      // Due again: one pass, then none.
      ctx.clock.advance(REFRESH);
      counting = true;
      await pay(ctx, 'REF-TAIL-6');
      await pay(ctx, 'REF-TAIL-7');
      counting = false;
      expect(tailReads).toHaveLength(1);
      expect(await ctx.deps.quota.remaining('PICC')).toBe(await ctx.deps.quota.fullSum('PICC'));
      expect(await balanceOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).toBe(await ctx.deps.quota.fullSum('PICC'));
    });
  },
  {},
  { log },
);

describeEachDatabase(
  'fast quota read switched off',
  (get) => {
    it('with QUOTA_FOREIGN_REFRESH_MS=0 every read sums the tail and sees another system at once', async () => {
      const ctx = get();
      const before = await ctx.deps.quota.remaining('PICC');
      await outsideRecord(ctx, 'PICC', 2, 4_000, 'ext:D-0');
      expect(await ctx.deps.quota.remaining('PICC')).toBe(before - 4_000);
    });
  },
  { QUOTA_FOREIGN_REFRESH_MS: '0' },
);

// The api_core_v2 tables on their own database: no common snapshot, so the mirror is read before the records.
const quotaFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'zf-quota-fast-')), 'api_core_v2.db');
describeEachDatabase(
  'fast quota read with a separate quota connection',
  (get) => {
    it("counts our recorded steps' deductions once and another system's records after the refresh", async () => {
      const ctx = get();
      const quota = ctx.deps.quota;
      expect(quota.sharesDatabase).toBe(false);
      expect(await quota.remaining('PICC')).toBe(await quota.fullSum('PICC'));
      await pay(ctx, `REF-SEP-${ctx.db}`);
      await resumeSettlements(ctx.deps);
      expect(await quota.remaining('PICC')).toBe(await quota.fullSum('PICC'));
      // Another system writes straight into its own database.
      await seenAfterTheRefresh(ctx, quota, 6000, () => {
        const other = new SQLite(quotaFile);
        other
          .prepare('insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values (?, ?, 2, 6000, ?, ?)')
          .run(newId('EXT', ctx.clock.now()), 'PICC', `ext:${ctx.db}:D-SEP`, ctx.clock.now());
        other.close();
      });
    });
  },
  { QUOTA_DATABASE_URL: `sqlite:${quotaFile}` },
);
