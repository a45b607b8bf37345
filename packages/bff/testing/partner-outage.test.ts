// A partner down for an hour (issue 12), time-compressed on the manual clock through the retry schedule: orders are
// paid and closed while it answers 503; once it is back, every event is delivered, the successful deliveries of each
// order arrive in seq order, each event is acknowledged once, and no attempt is sent twice.
import { expect, it } from 'vitest';
import { deliverDueCallbacks } from '../src/modules/callback/callback.worker.ts';
import { closeExpiredOrders } from '../src/modules/order/order.service.ts';
import { describeEachDatabase, type TestContext } from './harness.ts';

const HOUR = 3_600_000;
const TICK = 15_000;

async function newOrder(ctx: TestContext, referNo: string): Promise<{ token: string; orderNo: string }> {
  const { token } = await ctx.enter({ refer_no: referNo });
  const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
  expect(created.status).toBe(201);
  return { token, orderNo: created.body.order.order_no as string };
}
const pay = async (ctx: TestContext, o: { token: string; orderNo: string }) =>
  expect((await ctx.call('POST', `/api/orders/${o.orderNo}/pay/balance`, o.token, { pin: '123456' })).status).toBe(200);

describeEachDatabase('a partner down for an hour', (get) => {
  it('gets everything afterwards: all delivered, in seq order per order, each event acknowledged once, no attempt sent twice', async () => {
    const ctx = get();
    ctx.partner.status = 503;
    const orders: { token: string; orderNo: string }[] = [];
    const expiring: string[] = [];
    for (let minute = 0; minute * 60_000 < HOUR; minute += TICK / 60_000) {
      const m = Math.round(minute * 4) / 4;
      // Through the hour: new orders, payments of earlier ones, and orders left to expire.
      if (m % 10 === 0) orders.push(await newOrder(ctx, `OUT-${m}`));
      if (m % 10 === 5) await pay(ctx, orders[orders.length - 1]!);
      if (m === 12 || m === 31) expiring.push((await newOrder(ctx, `EXP-${m}`)).orderNo);
      await closeExpiredOrders(ctx.deps);
      await deliverDueCallbacks(ctx.deps);
      ctx.clock.advance(TICK);
    }
    const duringOutage = ctx.partner.received.length;
    expect(duringOutage).toBeGreaterThan(0);
    ctx.partner.status = 200;
    // The retry schedule's intervals reach 30 min by now: three more hours of ticks are plenty (a bounded loop).
    for (let i = 0; i < (3 * HOUR) / TICK; i++) {
      await closeExpiredOrders(ctx.deps);
      await deliverDueCallbacks(ctx.deps);
      const left = await ctx.deps.db.selectFrom('callback_events').select('id').where('status', '!=', 'delivered').execute();
      if (left.length === 0) break;
      ctx.clock.advance(TICK);
    }

    const events = await ctx.deps.db.selectFrom('callback_events').select(['id', 'order_no', 'seq', 'event', 'status']).execute();
    expect(events.filter((e) => e.status !== 'delivered')).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(orders.length * 2);
    const closed = events.filter((e) => expiring.includes(e.order_no) && e.event === 'closed');
    expect(closed).toHaveLength(expiring.length);

    // Each event acknowledged once: one 2xx delivery per event.
    const deliveries = await ctx.deps.db.selectFrom('callback_deliveries').select(['event_id', 'attempt', 'status_code']).execute();
    for (const e of events) expect(deliveries.filter((d) => d.event_id === e.id && d.status_code === 200)).toHaveLength(1);
    // No attempt sent twice: attempts are distinct per event and the partner saw exactly as many requests.
    expect(new Set(deliveries.map((d) => `${d.event_id}#${d.attempt}`)).size).toBe(deliveries.length);
    expect(ctx.partner.received).toHaveLength(deliveries.length);

    // After the outage, each order's events arrive in seq order.
    const after = ctx.partner.received.slice(duringOutage).map((r) => ({ order: String(r.json.order_no), seq: Number(r.json.seq) }));
    const byOrder = new Map<string, number[]>();
    for (const r of after) byOrder.set(r.order, [...(byOrder.get(r.order) ?? []), r.seq]);
    for (const [order, seqs] of byOrder) expect({ order, seqs }).toEqual({ order, seqs: [...seqs].sort((a, b) => a - b) });
    console.log(
      `[partner-outage] ${orders.length + expiring.length} orders, ${events.length} events, ${duringOutage} requests refused during the hour, ${deliveries.length} attempts in all; all delivered once, in seq order`,
    );
    // And every order's events were all delivered (none skipped).
    for (const o of [...orders.map((x) => x.orderNo), ...expiring]) {
      const mine = events.filter((e) => e.order_no === o).map((e) => Number(e.seq));
      expect(mine.sort((a, b) => a - b)).toEqual(mine.map((_, i) => i + 1));
    }
  });
});
