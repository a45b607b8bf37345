// Reconciliation: clean after realistic traffic (balance, card through the Payzero simulator, insurer-only, a short
// insurer, a closed order, an outside recharge); each planted difference is found; the CLI exits non-zero on one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../../bootstrap.ts';
import { testConfig } from '../../env.ts';
import { createLogger } from '../../lib/logger.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { startCardPayEnv, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import { reconcile } from './reconcile.service.ts';
import { payzeroLookup } from './reconcile.job.ts';
import { startRun } from './reconcile-runs.service.ts';

const MIN = 60_000;

async function realisticDay(ctx: TestContext, env: CardPayEnv): Promise<{ paid: string; closed: string; card: string }> {
  const paid = await ctx.newOrder({ refer_no: 'REF-R1' });
  await ctx.call('POST', `/api/orders/${paid.orderNo}/pay/balance`, paid.token, { pin: '123456' });
  const short = await ctx.newOrder({ refer_no: 'REF-R2', amout: '600' }, 'POL-PAIC-001');
  await ctx.call('POST', `/api/orders/${short.orderNo}/pay/balance`, short.token, { pin: '123456' });
  const wrongPin = await ctx.newOrder({ refer_no: 'REF-R3' });
  await ctx.call('POST', `/api/orders/${wrongPin.orderNo}/pay/balance`, wrongPin.token, { pin: '000000' });
  // An outside system recharges PAIC straight into api_core_v2.
  await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values ('EXT-1', 'PAIC', 1, 100000, 'ext:rc-1', ${ctx.clock.now()})`.execute(
    ctx.deps.db,
  );
  const c = await env.newOrder({ refer_no: 'REF-R4' });
  await env.call('POST', `/api/orders/${c.orderNo}/pay/card`, c.token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin });
  await vi.waitFor(
    async () =>
      expect(
        (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', c.orderNo).executeTakeFirstOrThrow()).status,
      ).toBe('settled'),
    { timeout: 5000, interval: 10 },
  );
  ctx.clock.advance(31 * MIN);
  await closeExpiredOrders(ctx.deps);
  await deliverDueCallbacks(ctx.deps);
  return { paid: paid.orderNo, closed: wrongPin.orderNo, card: c.orderNo };
}

describeEachDatabase('reconciliation', (get) => {
  it('is clean after a realistic day, checking the card payment with Payzero, and finds each planted difference', async () => {
    const ctx = get();
    const env = await startCardPayEnv(ctx);
    try {
      const { paid, closed, card } = await realisticDay(ctx, env);
      const lookup = payzeroLookup(env.deps);
      const clean = await reconcile(ctx.deps, { since: 0, cardLookup: lookup });
      expect(clean.differences).toEqual([]);
      expect(clean.orders).toBe(4);
      expect(clean.providerChecks).toBe(1);

      // Planted: a deduction written outside that the ledger does not mirror, an undelivered final callback, a
      // success Payzero never saw.
      await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values ('EXT-DUP', 'PICC', 2, 8000, ${`${paid}-dup`}, ${ctx.clock.now()})`.execute(
        ctx.deps.db,
      );
      await ctx.deps.db
        .updateTable('callback_events')
        .set({ status: 'pending' })
        .where('order_no', '=', closed)
        .where('final', '=', 1)
        .execute();
      await ctx.deps.db.updateTable('payment_attempts').set({ provider_ref: 'PA-NEVER-SENT' }).where('order_no', '=', card).execute();
      const found = await reconcile(ctx.deps, { since: 0, cardLookup: lookup });
      expect(found.differences.map((d) => [d.check, d.orderNo ?? d.icCode]).sort()).toEqual([
        ['callback', closed],
        ['provider_record', card],
        ['quota_mirror', 'PICC'],
      ]);
    } finally {
      await env.close();
    }
  });

  it('finds an order whose transfers or deduction record do not match it', async () => {
    const ctx = get();
    const o = await ctx.newOrder();
    await ctx.call('POST', `/api/orders/${o.orderNo}/pay/balance`, o.token, { pin: '123456' });
    await deliverDueCallbacks(ctx.deps);
    expect((await reconcile(ctx.deps, { since: 0 })).differences).toEqual([]);
    // The order's deduction record changed in place, and its insurer-share transfer no longer tied to it.
    await sql`update insurer_quota_records set amount = 7000 where ref_no = ${o.orderNo} and type = 2`.execute(ctx.deps.db);
    await ctx.deps.db
      .updateTable('ledger_transfers')
      .set({ order_no: null })
      .where('idempotency_key', '=', `order:${o.orderNo}:insurer`)
      .execute();
    const found = await reconcile(ctx.deps, { since: 0 });
    expect(found.differences.map((d) => d.check).sort()).toEqual(['quota_mirror', 'quota_record', 'transfers']);
    // Put back what the ledger check after the test reads (the quota record is outside it).
    await ctx.deps.db
      .updateTable('ledger_transfers')
      .set({ order_no: o.orderNo })
      .where('idempotency_key', '=', `order:${o.orderNo}:insurer`)
      .execute();
  });
});

describe('pnpm reconcile [sqlite]', () => {
  it('exits 0 on a clean database and 1 with the differences written when one is planted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zf-reconcile-'));
    const url = `sqlite:${join(dir, 'wallet.db')}`;
    const runtime = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'true' }), { logger: createLogger('silent') });
    await runtime.close();
    const root = fileURLToPath(new URL('../../../../../', import.meta.url));
    const run = (out: string) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          'node',
          ['--import', 'tsx', 'scripts/reconcile.ts', '--since', '2020-01-01', '--out', out],
          { cwd: root, env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'development', LOG_LEVEL: 'silent' } },
          (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout }),
        );
      });
    try {
      const ok = await run(join(dir, 'clean.json'));
      expect(ok.stdout).toContain('clean: no differences');
      expect(ok.code).toBe(0);
      const planted = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'false' }), { logger: createLogger('silent') });
      await sql`insert into insurer_quota_records (id, ic_code, type, amount, ref_no, created_at) values ('EXT-D', 'PICC', 2, 123, 'ext:deduction', ${Date.now()})`.execute(
        planted.deps.db,
      );
      await planted.close();
      const bad = await run(join(dir, 'bad.json'));
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('quota_mirror 1');
      const report = JSON.parse(readFileSync(join(dir, 'bad.json'), 'utf8')) as { differences: Array<{ check: string; icCode: string }> };
      expect(report.differences).toEqual([expect.objectContaining({ check: 'quota_mirror', icCode: 'PICC' })]);
      // Both runs are stored for the console (ran_by cli); while another run holds the slot, the CLI refuses with 2.
      const after = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'false' }), { logger: createLogger('silent') });
      const runs = await after.deps.db.selectFrom('reconcile_runs').selectAll().orderBy('started_at').execute();
      expect(runs.map((r) => [r.ran_by, r.state, Number(r.difference_count)])).toEqual([
        ['cli', 'done', 0],
        ['cli', 'done', 1],
      ]);
      const held = await startRun(after.deps, { since: 0, until: Date.now(), ranBy: 'job' });
      await after.close();
      expect(held?.state).toBe('running');
      const busy = await run(join(dir, 'busy.json'));
      expect(busy.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
