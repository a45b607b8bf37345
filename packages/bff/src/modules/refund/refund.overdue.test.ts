// REFUND_OVERDUE with the manual clock: a card refund Payzero never answers stays `submitted`; 24 h after submission one
// alert is raised (one push queued for the admin webhook), never a second, and the console lists it with its order.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createRoleAdmins, signInAs } from '../../../testing/admin.ts';
import { startCardPayEnv, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { refundProviders } from './refund.integration.ts';
import { raiseOverdueRefunds, REFUND_OVERDUE_MS } from './refund.overdue.ts';
import { progressRefunds } from './refund.service.ts';

describeEachDatabase('refunds overdue at the provider', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });

  it('raises one REFUND_OVERDUE per refund 24 h after submission, pushed once, shown in the console', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(
      202,
    );
    await vi.waitFor(
      async () =>
        expect(
          (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status,
        ).toBe('settled'),
      { timeout: 5_000, interval: 20 },
    );
    // Payzero answers nothing from now on: the refund stays submitted, its status unknown.
    env.sim.failNext(10_000, 503);
    const res = await partnerCall(env.url, ctx.clock.now(), 'POST', '/api/partner/v1/refunds', {
      order_no: orderNo,
      partner_refund_no: 'R-OVERDUE-1',
      amount: '20.00',
    });
    expect(res.body.refund).toMatchObject({ status: 'submitted', provider_status: 'UNKNOWN' });
    const refundNo = res.body.refund.refund_no as string;
    const overdue = () => ctx.deps.db.selectFrom('alerts').selectAll().where('kind', '=', 'REFUND_OVERDUE').execute();

    // The job keeps asking meanwhile; just before the limit nothing is raised.
    for (let h = 0; h < 23; h++) {
      ctx.clock.advance(3600_000);
      await progressRefunds(env.deps, refundProviders(env.deps));
    }
    ctx.clock.advance(REFUND_OVERDUE_MS - 23 * 3600_000 - 1000);
    expect(await raiseOverdueRefunds(env.deps)).toBe(0);
    expect(await overdue()).toEqual([]);

    ctx.clock.advance(2000);
    expect(await raiseOverdueRefunds(env.deps)).toBe(1);
    ctx.clock.advance(3600_000);
    expect(await raiseOverdueRefunds(env.deps)).toBe(0);
    const alerts = await overdue();
    expect(alerts).toMatchObject([{ order_no: orderNo, amount_fen: 2_000, refund_no: refundNo, status: 'open' }]);
    expect(alerts[0]!.detail).toContain('UNKNOWN');
    const pushes = await ctx.deps.db.selectFrom('alert_pushes').select('alert_id').where('alert_id', '=', alerts[0]!.id).execute();
    expect(pushes).toHaveLength(1);

    await createRoleAdmins(ctx);
    const view = await signInAs(ctx, 'view');
    expect((await view('GET', '/api/admin/alerts?kind=REFUND_OVERDUE')).body.items).toMatchObject([
      { kind: 'REFUND_OVERDUE', order_no: orderNo, amount: { yuan: '20.00' } },
    ]);
    expect((await view('GET', '/api/admin/overview')).body.open_alerts).toMatchObject({ REFUND_OVERDUE: 1 });
  });
});
