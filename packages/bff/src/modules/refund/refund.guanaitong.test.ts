// Refunds of Guanaitong points payments against the simulator over real HTTP: syncRefund answers at once (full,
// partial), refuses (amount ending in 13 fen), or answers too late (the refund stays submitted, asked again later).
import { afterEach, expect, it } from 'vitest';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { startGuanaitongPayEnv, type GuanaitongPayEnv } from '../../../testing/guanaitong-pay-env.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { refundProviders } from './refund.integration.ts';
import { progressRefunds } from './refund.service.ts';

const MERCHANT = Accounts.merchant(DEMO.partnerId);

describeEachDatabase('refunds of Guanaitong payments', (get) => {
  let env: GuanaitongPayEnv | null = null;
  afterEach(async () => {
    await env?.close();
    env = null;
  });

  async function paidByPoints(ctx: TestContext, options?: Parameters<typeof startGuanaitongPayEnv>[1]) {
    env = await startGuanaitongPayEnv(ctx, options);
    const { token, orderNo } = await ctx.newOrder();
    await env.payWithPoints(token, orderNo);
    expect((await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status).toBe(
      'settled',
    );
    return { env, orderNo };
  }
  const refund = (ctx: TestContext, e: GuanaitongPayEnv, body: Record<string, unknown>) =>
    partnerCall(e.url, ctx.clock.now(), 'POST', '/api/partner/v1/refunds', body);

  it('partial then the rest: each syncRefund gives points back at once; quota, clearing and merchant end where they began', async () => {
    const ctx = get();
    const { env: e, orderNo } = await paidByPoints(ctx);
    expect(e.sim.control.employee().pointsFen).toBe(100_000 - 2_000);
    const first = await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-1', amount: '30.00' });
    expect(first.body.refund).toMatchObject({
      status: 'succeeded',
      insurer_amount: '24.00',
      self_pay_amount: '6.00',
      method: 'guanaitong',
      provider_status: 'REFUNDED',
    });
    expect(e.sim.control.employee().pointsFen).toBe(100_000 - 1_400);
    const rest = await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-2', amount: '70.00' });
    expect(rest.body.refund).toMatchObject({ status: 'succeeded', insurer_amount: '56.00', self_pay_amount: '14.00' });
    expect(e.sim.control.employee().pointsFen).toBe(100_000);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(DEMO.clearingFen);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen);
    expect((await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-1', amount: '30.00' })).status).toBe(200);
    expect((await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-3', amount: '0.01' })).body.code).toBe('ZF0223');
  });

  it('Guanaitong refuses the refund: failed at once, points and the merchant’s money unchanged', async () => {
    const ctx = get();
    const { env: e, orderNo } = await paidByPoints(ctx);
    // 50.65 → self-pay 10.13: the simulator refuses amounts ending in 13 fen.
    const res = await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-F', amount: '50.65' });
    expect(res.body.refund).toMatchObject({ status: 'failed', provider_status: 'ERROR_1000220002' });
    expect(e.sim.control.employee().pointsFen).toBe(100_000 - 2_000);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000);
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(0);
  });

  it('a slow answer (past our timeout): the refund stays submitted; asked again with the same outer_refund_no it is not refunded twice', async () => {
    const ctx = get();
    // Our requests give up after 300 ms; the simulator answers a refund ending in 77 fen after 1 s.
    const short: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(300) });
    const { env: e, orderNo } = await paidByPoints(ctx, { sim: { refundSlowMs: 1_000 }, fetch: short });
    // 13.85 → insurer 11.08, self-pay 2.77.
    const res = await refund(ctx, e, { order_no: orderNo, partner_refund_no: 'RG-S', amount: '13.85' });
    expect(res.body.refund).toMatchObject({ status: 'submitted', self_pay_amount: '2.77', provider_status: 'UNKNOWN' });
    expect(e.sim.control.employee().pointsFen).toBe(100_000 - 2_000 + 277);
    ctx.clock.advance(60_000);
    expect(await progressRefunds(e.deps, refundProviders(e.deps))).toBe(1);
    const row = await ctx.deps.db.selectFrom('refunds').selectAll().where('partner_refund_no', '=', 'RG-S').executeTakeFirstOrThrow();
    expect(row.status).toBe('succeeded');
    expect(e.sim.control.employee().pointsFen).toBe(100_000 - 2_000 + 277);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000 - 1_385);
  });
});
