// Issue 12, holes 3 and 4: a link sees only the order of its own bill (claim + amount on its refer_no), and only the
// partner a claim was issued through may open it. Every refusal answers a code alone and changes nothing.
import { buildSignedLink } from '@zf/shared/partner';
import { expect, it } from 'vitest';
import { DEMO } from '../demo/demo.seed.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';

const WANGWU = DEMO.users.wangwu.claimNo;

/** A second partner with its own claim (user 赵六), as an operator would add one. */
async function addOtherPartner(ctx: TestContext): Promise<{ link(overrides?: Record<string, string>): Record<string, string> }> {
  const now = ctx.clock.now();
  await ctx.deps.db
    .insertInto('partners')
    .values({
      id: 'other',
      name: '另一家药房',
      link_secret: 'other-link-secret',
      callback_secret: 'whsec_b3RoZXItc2VjcmV0',
      callback_hosts: JSON.stringify(['127.0.0.1:*']),
      is_demo: 0,
      created_at: now,
    })
    .execute();
  await ctx.deps.db
    .insertInto('users')
    .values({ id: 'U-OTHER-001', name: '赵六', pin_hash: null, pin_locked_at: null, created_at: now })
    .execute();
  await ctx.deps.db
    .insertInto('claims')
    .values({ claim_no: 'CLM-OTHER-001', user_id: 'U-OTHER-001', partner_id: 'other', created_at: now })
    .execute();
  return {
    link(overrides = {}) {
      const url = buildSignedLink(
        'http://localhost/wallet/index.html',
        { partner_id: 'other', amout: '100.00', refer_no: 'REF-O-1', claim_no: 'CLM-OTHER-001', callback: ctx.partner.url, ...overrides },
        'other-link-secret',
        Math.floor(ctx.clock.now() / 1000),
      );
      return Object.fromEntries(new URLSearchParams(url.split('?')[1]));
    },
  };
}

describeEachDatabase('link binding (holes 3 and 4)', (get) => {
  it("refuses a link for claim B carrying the refer_no of claim A's open order with ZF0180, showing nothing of it", async () => {
    const ctx = get();
    const { orderNo } = await ctx.newOrder({ refer_no: 'REF-SHARED' });
    const before = await snapshot(ctx);
    const res = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ refer_no: 'REF-SHARED', claim_no: WANGWU }) });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ code: 'ZF0180', request_id: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain(orderNo);
    // The same with the order's number in the link.
    const withNo = await ctx.call('POST', '/api/session', undefined, {
      params: ctx.linkParams({ refer_no: 'REF-SHARED', claim_no: WANGWU, order_no: orderNo }),
    });
    expect(withNo.body.code).toBe('ZF0180');
    expect(await snapshot(ctx)).toBe(before);
  });

  it('refuses a link whose amount differs from the live order of its refer_no with the same ZF0180', async () => {
    const ctx = get();
    const { orderNo } = await ctx.newOrder({ refer_no: 'REF-AMT', amout: '100.00' });
    const before = await snapshot(ctx);
    const res = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ refer_no: 'REF-AMT', amout: '1.00' }) });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ZF0180');
    expect(await snapshot(ctx)).toBe(before);
    // The genuine link still resumes its order.
    expect((await ctx.enter({ refer_no: 'REF-AMT', amout: '100' })).next).toEqual({ page: 'cashier', order_no: orderNo });
  });

  it("a session for claim B opened before A's order was created cannot reach it: order creation, entry and the order answer ZF0180/ZF0060", async () => {
    const ctx = get();
    const b = await ctx.enter({ refer_no: 'REF-RACE', claim_no: WANGWU });
    expect(b.next).toEqual({ page: 'policies' });
    const { orderNo } = await ctx.newOrder({ refer_no: 'REF-RACE' });
    const before = await snapshot(ctx);
    const created = await ctx.call('POST', '/api/orders', b.token, { policy_no: 'POL-PICC-003' });
    expect(created.status).toBe(409);
    expect(created.body).toEqual({ code: 'ZF0180', request_id: expect.any(String) });
    expect((await ctx.call('GET', '/api/entry', b.token)).body.code).toBe('ZF0180');
    expect((await ctx.call('GET', `/api/orders/${orderNo}`, b.token)).body.code).toBe('ZF0060');
    expect((await ctx.call('GET', `/api/orders/${orderNo}/cashier`, b.token)).body.code).toBe('ZF0060');
    expect(await snapshot(ctx)).toBe(before);
  });

  it('a session of the same claim with another amount cannot pay or see the order created for the first amount', async () => {
    const ctx = get();
    const small = await ctx.enter({ refer_no: 'REF-TWO', amout: '1.00' });
    const { orderNo } = await ctx.newOrder({ refer_no: 'REF-TWO', amout: '100.00' });
    const before = await snapshot(ctx);
    expect((await ctx.call('POST', '/api/orders', small.token, { policy_no: 'POL-PICC-001' })).body.code).toBe('ZF0180');
    expect((await ctx.call('GET', `/api/orders/${orderNo}`, small.token)).body.code).toBe('ZF0180');
    expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, small.token, { pin: DEMO.pin })).body.code).toBe('ZF0180');
    expect(await snapshot(ctx)).toBe(before);
  });

  it("ties claims to their partner: the demo claims belong to the demo partner (migration), another partner's link for one is refused", async () => {
    const ctx = get();
    const claims = await ctx.deps.db.selectFrom('claims').select(['claim_no', 'partner_id']).orderBy('claim_no').execute();
    expect(claims.every((c) => c.partner_id === DEMO.partnerId)).toBe(true);
    const other = await addOtherPartner(ctx);
    const before = await snapshot(ctx);
    // The other partner signs a perfectly valid link for the demo partner's claim: refused like an unknown claim.
    const foreign = await ctx.call('POST', '/api/session', undefined, { params: other.link({ claim_no: DEMO.users.zhangsan.claimNo }) });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ZF0040');
    expect(foreign.body).not.toHaveProperty('user_name');
    // And the other way round.
    const back = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ claim_no: 'CLM-OTHER-001' }) });
    expect(back.body.code).toBe('ZF0040');
    expect(await snapshot(ctx)).toBe(before);
    // Each partner still opens its own claims.
    const own = await ctx.call('POST', '/api/session', undefined, { params: other.link() });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ partner_id: 'other', user_name: '赵六' });
  });
});
