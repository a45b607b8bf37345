// The partner server API refuses unsigned, tampered, stale, replayed and foreign requests (each with its ZF code),
// and answers a partner's own orders by order_no and refer_no.
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { DEMO } from '../demo/demo.seed.ts';

async function otherPartner(ctx: TestContext): Promise<void> {
  await ctx.deps.db
    .insertInto('partners')
    .values({
      id: 'other',
      name: '另一合作方',
      link_secret: 'other-link',
      api_secret: 'other-api-secret',
      callback_secret: DEMO.callbackSecret,
      callback_hosts: '["127.0.0.1"]',
      is_demo: 1,
      created_at: ctx.clock.now(),
    })
    .execute();
}

describeEachDatabase('partner server API', (get) => {
  it('answers a signed query of the partner’s order: state, amounts, attempts, refunds, last callback seq; and by refer_no', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder({ refer_no: 'REF-Q-1' });
    await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
    const res = await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/orders/${orderNo}`);
    expect(res.status).toBe(200);
    expect(res.body.order).toMatchObject({
      order_no: orderNo,
      refer_no: 'REF-Q-1',
      status: 'settled',
      amount: '100.00',
      insurer_amount: '80.00',
      self_pay_amount: '20.00',
      refunded_amount: '0.00',
      method: 'balance',
      last_callback_seq: 2,
      refunds: [],
    });
    expect(res.body.order.attempts).toEqual([
      expect.objectContaining({ method: 'balance', status: 'succeeded', failure_reason: null, amount: '20.00' }),
    ]);
    const byRefer = await partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/orders?refer_no=REF-Q-1');
    expect(byRefer.status).toBe(200);
    expect(byRefer.body.orders.map((o: { order_no: string }) => o.order_no)).toEqual([orderNo]);
    expect((await partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/orders?refer_no=NONE')).body.orders).toEqual([]);
    expect((await partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/orders')).body.code).toBe('ZF0010');
  });

  it('refuses unsigned, tampered and wrongly keyed requests (ZF0220), stale ones (ZF0221) and replays (ZF0222)', async () => {
    const ctx = get();
    const { orderNo } = await ctx.newOrder();
    const path = `/api/partner/v1/orders/${orderNo}`;
    const now = ctx.clock.now();
    expect(await partnerCall(ctx.app, now, 'GET', path, undefined, { unsigned: true })).toMatchObject({
      status: 401,
      body: { code: 'ZF0220' },
    });
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { secret: 'wrong' })).body.code).toBe('ZF0220');
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { partnerId: 'nobody' })).body.code).toBe('ZF0220');
    const body = { order_no: orderNo, partner_refund_no: 'T-1', amount: '1.00' };
    expect(
      (await partnerCall(ctx.app, now, 'POST', '/api/partner/v1/refunds', body, { tamper: (b) => b.replace('1.00', '99.00') })).body.code,
    ).toBe('ZF0220');
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { timestamp: Math.floor(now / 1000) - 301 })).body.code).toBe('ZF0221');
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { timestamp: Math.floor(now / 1000) + 301 })).body.code).toBe('ZF0221');
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { timestamp: Math.floor(now / 1000) - 299 })).status).toBe(200);
    const nonce = 'replayed-nonce-0001';
    expect((await partnerCall(ctx.app, now, 'GET', path, undefined, { nonce })).status).toBe(200);
    expect(await partnerCall(ctx.app, now, 'GET', path, undefined, { nonce })).toMatchObject({ status: 409, body: { code: 'ZF0222' } });
    expect((await ctx.deps.db.selectFrom('refunds').select('refund_no').execute()).length).toBe(0);
  });

  it('never shows or refunds another partner’s order, nor its refunds', async () => {
    const ctx = get();
    await otherPartner(ctx);
    const { orderNo } = await ctx.newOrder();
    const as = { partnerId: 'other', secret: 'other-api-secret' };
    expect(await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/orders/${orderNo}`, undefined, as)).toMatchObject({
      status: 404,
      body: { code: 'ZF0060' },
    });
    expect(
      (await partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/orders?refer_no=REF-001', undefined, as)).body.orders,
    ).toEqual([]);
    expect(
      (
        await partnerCall(
          ctx.app,
          ctx.clock.now(),
          'POST',
          '/api/partner/v1/refunds',
          { order_no: orderNo, partner_refund_no: 'X-1', amount: '1.00' },
          as,
        )
      ).body.code,
    ).toBe('ZF0060');
    expect((await partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/refunds/X-1', undefined, as)).body.code).toBe('ZF0226');
  });
});
