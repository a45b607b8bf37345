// The callback contract as a partner reads it: order_created carries its own code (never a payment result's), every
// event carries the insurer share, the self-pay and the method, and an undelivered earlier event holds a later one
// back for at most CALLBACK_HOLD_BACK_MS.
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { CALLBACK_HOLD_BACK_MS, deliverDueCallbacks } from './callback.worker.ts';

describeEachDatabase('callback contract', (get) => {
  it('a partner failing order_created gets paid after the hold-back, not after order_created gets through', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder();
    ctx.partner.status = 500;
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);
    expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
    ctx.clock.advance(CALLBACK_HOLD_BACK_MS - 1);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).not.toContain('paid');
    ctx.clock.advance(1);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toContain('paid');
    const paid = ctx.partner.received.find((r) => r.json.event === 'paid')!.json;
    expect(paid).toMatchObject({
      seq: 2,
      final: true,
      res_code: 0,
      paid_amount: '100.00',
      insurer_amount: '80.00',
      self_pay_amount: '20.00',
      method: 'balance',
    });
    const created = ctx.partner.received[0]!.json;
    expect(created).toMatchObject({
      event: 'order_created',
      res_code: 'ZF0230',
      paid_amount: '0.00',
      insurer_amount: '80.00',
      self_pay_amount: '20.00',
      method: null,
    });
  });
});
