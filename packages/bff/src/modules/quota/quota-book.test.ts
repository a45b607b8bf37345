// The quota book: exactly Σ type 1 − Σ type 2 while other systems write records (also late, out of order), the
// periodic recount, the alert levels once per crossing, and the order's hold on the quota.
import { sql } from 'kysely';
import { createPool } from 'mysql2/promise';
import { expect, it } from 'vitest';
import { Accounts, balancesOf, expirePending, pendingState } from '../../ledger/ledger.ts';
import { newId } from '../../lib/ids.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import { quotaHoldKey } from '../order/order-holds.ts';
import { availableQuota, checkQuotaLevels, rechargeQuota, recountQuotaBooks } from './quota.service.ts';

const MIN = 60_000;
const LAG = 10 * MIN; // the default QUOTA_SETTLE_LAG_SECONDS

/** What another system does: a record written straight into api_core_v2, with its own created_at. */
async function outsideRecord(ctx: TestContext, ic: string, type: 1 | 2, amount: number, createdAt: number): Promise<void> {
  await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values (${newId('EXT', createdAt)}, ${ic}, ${type}, ${amount}, ${`ext:${newId('R', createdAt)}`}, ${createdAt})`.execute(
    ctx.deps.db,
  );
}

/** A tiny deterministic generator, so a failing interleaving can be replayed from its seed. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (max: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % max;
  };
}

describeEachDatabase('quota book', (get) => {
  it('stays exactly Σ1 − Σ2 while outside recharges and deductions (some committed up to the lag late) interleave with ours', async () => {
    const ctx = get();
    const rnd = lcg(20261201);
    let ours = 0;
    for (let step = 0; step < 120; step++) {
      const now = ctx.clock.now();
      const action = rnd(5);
      if (action === 0)
        await outsideRecord(ctx, 'PICC', 1, 1 + rnd(50_000), now - rnd(LAG - MIN)); // late, but within the lag
      else if (action === 1) await outsideRecord(ctx, 'PICC', 2, 1 + rnd(50_000), now - rnd(LAG - MIN));
      else if (action === 2) await ctx.deps.quota.deduct('PICC', 1 + rnd(9_999), `ORD-${ours++}`, now);
      else if (action === 3) await ctx.deps.quota.recharge('PICC', 1 + rnd(9_999), `RC-${step}`, now);
      ctx.clock.advance(rnd(4 * MIN));
      expect(await ctx.deps.quota.remaining('PICC'), `step ${step}`).toBe(await ctx.deps.quota.fullSum('PICC'));
    }
    // The book really settled most of it (the read is not secretly the full sum).
    const row = await ctx.deps.db.selectFrom('quota_totals').selectAll().where('ic_code', '=', 'PICC').executeTakeFirstOrThrow();
    expect(Number(row.watermark_at)).toBeGreaterThan(ctx.clock.now() - LAG - MIN);
    // Every recharge, ours and theirs, is mirrored in the ledger's quota book.
    const ledger = await balancesOf(ctx.deps.db, Accounts.insurerQuota('PICC'));
    const recharges = await sql<{
      total: number;
    }>`select coalesce(sum(amount), 0) as total from insurer_quota_records where ic_code = 'PICC' and type = 1`.execute(ctx.deps.db);
    const mirrored = await sql<{
      total: number;
    }>`select coalesce(sum(amount_fen), 0) as total from ledger_transfers where to_account = 'insurer_quota:PICC' and idempotency_key like 'quota:recharge:%'`.execute(
      ctx.deps.db,
    );
    expect(Number(mirrored.rows[0]?.total)).toBe(Number(recharges.rows[0]?.total));
    expect(ledger.balanceFen).toBe(Number(recharges.rows[0]?.total));
  });

  it('a record committed later than the lag is invisible to the fast read until the recount finds it, corrects the book and raises QUOTA_BOOK_DRIFT', async () => {
    const ctx = get();
    const start = ctx.clock.now();
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000);
    ctx.clock.advance(LAG + 5 * MIN);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000); // the watermark is now past `start`
    await outsideRecord(ctx, 'PICC', 1, 777, start + MIN); // "committed" 14 min after its created_at
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000); // the documented limit of the fast read
    expect(await recountQuotaBooks(ctx.deps)).toBe(1);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_777);
    const alerts = await ctx.deps.db.selectFrom('alerts').select(['kind', 'amount_fen']).where('kind', '=', 'QUOTA_BOOK_DRIFT').execute();
    expect(alerts.map((a) => [a.kind, Number(a.amount_fen)])).toEqual([['QUOTA_BOOK_DRIFT', 777]]);
    expect(await recountQuotaBooks(ctx.deps)).toBe(0);
    expect((await balancesOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).balanceFen).toBe(100_000_777); // mirrored too
  });

  it('raises each alert level once per crossing with the runway, re-armed by a recharge', async () => {
    const ctx = get();
    const { db, quota } = ctx.deps;
    const level = async () =>
      (
        await db.selectFrom('alerts').select(['kind', 'detail']).where('kind', 'in', ['QUOTA_LOW_WARNING', 'QUOTA_LOW_CRITICAL']).execute()
      ).map((a) => a.kind);
    // PICC: 1 000 000.00, warning below 500 000.00, critical below 100 000.00.
    await quota.deduct('PICC', 40_000_000, 'BIG-1', ctx.clock.now());
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual([]);
    await quota.deduct('PICC', 20_000_000, 'BIG-2', ctx.clock.now()); // 400 000.00 left
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual(['warning']);
    await quota.deduct('PICC', 1_000, 'SMALL-1', ctx.clock.now());
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual([]); // still below: no second warning
    const [warning] = await db.selectFrom('alerts').select('detail').where('kind', '=', 'QUOTA_LOW_WARNING').execute();
    // 600 000.01 burned in the last 7 days → 85 714.29 a day; 399 999.90 left → 4.7 days.
    expect(warning?.detail).toContain('runway 4.7 days');
    await rechargeQuota(ctx.deps, 'PICC', 30_000_000, 'RC-1'); // back to 699 999.90: re-armed
    await quota.deduct('PICC', 65_000_000, 'BIG-3', ctx.clock.now()); // 49 999.90: both levels crossed at once
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual(['warning', 'critical']);
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual([]);
    expect((await level()).sort()).toEqual(['QUOTA_LOW_CRITICAL', 'QUOTA_LOW_WARNING', 'QUOTA_LOW_WARNING']);
  });

  it('holds the insurer share at order creation, posts it with the deduction and voids it when the order closes', async () => {
    const ctx = get();
    const paid = await ctx.newOrder({ refer_no: 'REF-H1' });
    expect(await pendingState(ctx.deps.db, quotaHoldKey(paid.orderNo))).toEqual({ status: 'pending', amountFen: 8000 });
    expect(await availableQuota(ctx.deps, 'PICC')).toEqual({ remainingFen: 100_000_000, heldFen: 8000, availableFen: 100_000_000 - 8000 });
    await ctx.call('POST', `/api/orders/${paid.orderNo}/pay/balance`, paid.token, { pin: '123456' });
    expect(await pendingState(ctx.deps.db, quotaHoldKey(paid.orderNo))).toEqual({ status: 'posted', amountFen: 8000 });
    expect(await availableQuota(ctx.deps, 'PICC')).toEqual({
      remainingFen: 100_000_000 - 8000,
      heldFen: 0,
      availableFen: 100_000_000 - 8000,
    });
    expect((await balancesOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).balanceFen).toBe(100_000_000 - 8000);

    const unpaid = await ctx.newOrder({ refer_no: 'REF-H2' });
    ctx.clock.advance(31 * MIN);
    expect(await closeExpiredOrders(ctx.deps)).toBe(1);
    expect(await pendingState(ctx.deps.db, quotaHoldKey(unpaid.orderNo))).toEqual({ status: 'voided', amountFen: 8000 });
    expect(await expirePending(ctx.deps.db, ctx.clock.now() + 24 * 60 * MIN)).toBe(0); // nothing left to expire
    expect((await availableQuota(ctx.deps, 'PICC')).heldFen).toBe(0);
  });

  it('warns early when the holds exceed the quota, and never blocks the order', async () => {
    const ctx = get();
    // PAIC has 100.00; a 600.00 bill under POL-PAIC-001 makes a 500.00 share.
    const first = await ctx.newOrder({ amout: '600', refer_no: 'REF-S1' }, 'POL-PAIC-001');
    expect(first.order.insurer_fen).toBe(50_000);
    const alerts = await ctx.deps.db.selectFrom('alerts').select(['kind', 'order_no']).execute();
    expect(alerts).toEqual([{ kind: 'INSURER_QUOTA_SHORT_EARLY', order_no: first.orderNo }]);
    expect(await availableQuota(ctx.deps, 'PAIC')).toEqual({ remainingFen: 10_000, heldFen: 50_000, availableFen: -40_000 });
  });
});

describeEachDatabase('quota book on a real server', (get) => {
  it('counts a record whose transaction commits after a later-created one, within the lag (two connections) [mariadb only]', async () => {
    const ctx = get();
    if (ctx.db !== 'mariadb') return;
    const pool = createPool({ uri: ctx.deps.config.databaseUrl, connectionLimit: 2 });
    try {
      const slow = await pool.getConnection();
      const fast = await pool.getConnection();
      const t0 = ctx.clock.now();
      await slow.beginTransaction();
      await slow.query('insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values (?, ?, 1, 500, ?, ?)', [
        'EXT-SLOW',
        'PICC',
        'ext:slow',
        t0,
      ]);
      await fast.query('insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values (?, ?, 2, 300, ?, ?)', [
        'EXT-FAST',
        'PICC',
        'ext:fast',
        t0 + 1000,
      ]);
      await ctx.deps.quota.deduct('PICC', 8000, 'ORD-A', t0 + 2000);
      ctx.clock.advance(5 * MIN);
      expect(await ctx.deps.quota.remainingExact('PICC')).toBe(100_000_000 - 300 - 8000); // the slow one is not committed yet
      await slow.commit();
      expect(await ctx.deps.quota.remainingExact('PICC')).toBe(100_000_000 + 500 - 300 - 8000);
      ctx.clock.advance(ctx.deps.config.quota.foreignRefreshMs); // the fast read, once its snapshot is due
      expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 + 500 - 300 - 8000);
      ctx.clock.advance(LAG);
      expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 + 500 - 300 - 8000); // settled into the book
      expect(
        Number(
          (await ctx.deps.db.selectFrom('quota_totals').select('watermark_at').where('ic_code', '=', 'PICC').executeTakeFirstOrThrow())
            .watermark_at,
        ),
      ).toBeGreaterThan(t0 + 2000);
      slow.release();
      fast.release();
    } finally {
      await pool.end();
    }
  });
});
