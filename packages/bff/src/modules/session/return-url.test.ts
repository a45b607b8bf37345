// The way back to the partner app (issue 13 defect 2): an optional signed return_url held to the partner's allow-list,
// and payment records that tell their partner, card and transaction apart (defect 4).
import { expect, it } from 'vitest';
import { describeEachDatabase, snapshot } from '../../../testing/harness.ts';

describeEachDatabase('return_url and payment records', (get) => {
  it('answers the signed return_url of an allowed host, and null without one', async () => {
    const ctx = get();
    const withUrl = await ctx.call('POST', '/api/session', undefined, {
      params: ctx.linkParams({ return_url: 'http://localhost:5180/done?rx=1' }),
    });
    expect(withUrl.status).toBe(200);
    expect(withUrl.body.return_url).toBe('http://localhost:5180/done?rx=1');
    const without = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams() });
    expect(without.body.return_url).toBeNull();
  });

  it('refuses a return_url off the allow-list (ZF0030) or not signed (ZF0020), changing nothing', async () => {
    const ctx = get();
    const before = await snapshot(ctx);
    const foreign = await ctx.call('POST', '/api/session', undefined, {
      params: ctx.linkParams({ return_url: 'https://evil.example/phish' }),
    });
    expect(foreign).toMatchObject({ status: 403, body: { code: 'ZF0030' } });
    const script = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ return_url: 'javascript:alert(1)' }) });
    expect(script.body.code).toMatch(/ZF0010|ZF0030/);
    const tampered = { ...ctx.linkParams({ return_url: 'http://localhost:5180/done' }), return_url: 'http://127.0.0.1:5180/other' };
    const unsigned = await ctx.call('POST', '/api/session', undefined, { params: tampered });
    expect(unsigned).toMatchObject({ status: 401, body: { code: 'ZF0020' } });
    expect(await snapshot(ctx)).toBe(before);
  });

  it('lists records with their partner, amounts and the paying attempt (method, transaction no., when it ended)', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder();
    const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' });
    expect(paid.status).toBe(200);
    const list = await ctx.call('GET', '/api/orders', token);
    expect(list.status).toBe(200);
    const record = list.body.orders.find((o: { order_no: string }) => o.order_no === orderNo);
    expect(record).toMatchObject({
      partner_id: 'demo',
      refer_no: 'REF-001',
      amount_fen: 10000,
      insurer_fen: 8000,
      self_pay_fen: 2000,
      display: 'paid',
    });
    expect(typeof record.partner_name).toBe('string');
    expect(record.last_attempt).toMatchObject({ method: 'balance', status: 'succeeded', card_last4: null });
    expect(Date.parse(record.last_attempt.finished_at)).not.toBeNaN();
    const one = await ctx.call('GET', `/api/orders/${orderNo}`, token);
    expect(one.body.order).toMatchObject({ order_no: orderNo, partner_id: 'demo', partner_name: record.partner_name });
  });
});
