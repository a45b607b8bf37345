// The outage rule (callback-recovery.ts): a backlog that met a partner outage goes out as soon as the partner answers
// again (a probe every CALLBACK_PROBE_MS, then every waiting order pulled forward), in seq order per order, each event
// once; a failure while the partner answers others is the event's own and keeps its retry schedule.
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { insertEvent } from './callback.repository.ts';
import { RETRY_SCHEDULE_MS } from './callback.service.ts';
import { deliverDueCallbacks } from './callback.worker.ts';
import { CALLBACK_PROBE_MS, PROBE_MIN_BOOKED } from './callback-recovery.ts';

/** `orders` orders' events written straight into the outbox: seq 1 for each, seq 2 too for the first `paired`. */
async function backlog(ctx: TestContext, orders: number, paired: number, tag = 'R'): Promise<void> {
  const now = ctx.clock.now();
  for (let i = 0; i < orders; i++) {
    const orderNo = `ZFRECOVER${tag}${String(i).padStart(6, '0')}`;
    for (const seq of i < paired ? [1, 2] : [1]) {
      const id = `evt_${tag}_${i}_${seq}`;
      await insertEvent(ctx.deps.db, {
        id,
        order_no: orderNo,
        partner_id: DEMO.partnerId,
        url: ctx.partner.url,
        event: seq === 1 ? 'order_created' : 'paid',
        seq,
        final: seq === 2 ? 1 : 0,
        payload: JSON.stringify({ order_no: orderNo, seq, event_id: id }),
        created_at: now,
      });
    }
  }
}

const statuses = async (ctx: TestContext) =>
  (await ctx.deps.db.selectFrom('callback_events').select(['status']).execute()).reduce<Record<string, number>>(
    (m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }),
    {},
  );

describeEachDatabase('callback outage rule', (get) => {
  it('drains a backlog within a probe interval of the partner coming back, in seq order, each event once', async () => {
    const ctx = get();
    const orders = PROBE_MIN_BOOKED + 10;
    await backlog(ctx, orders, 10);
    ctx.partner.status = 503;
    await deliverDueCallbacks(ctx.deps);
    // Every order's first event failed once; the paired orders' seq 2 waits behind it (not sent).
    expect(ctx.partner.received).toHaveLength(orders);
    expect(await statuses(ctx)).toEqual({ pending: orders + 10 });

    // Still down: one probe per interval, nothing else.
    ctx.clock.advance(CALLBACK_PROBE_MS);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.received).toHaveLength(orders + 1);

    // Back: the next probe gets through and the whole backlog follows, long before the 15 s retry.
    ctx.partner.status = 200;
    ctx.clock.advance(CALLBACK_PROBE_MS);
    expect(2 * CALLBACK_PROBE_MS).toBeLessThan(RETRY_SCHEDULE_MS[0]!);
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: orders + 10 });
    const ok = ctx.partner.received.slice(orders + 1);
    expect(ok).toHaveLength(orders + 10);
    expect(new Set(ok.map((r) => r.json.event_id)).size).toBe(orders + 10);
    const seqsByOrder = new Map<string, number[]>();
    for (const r of ok) seqsByOrder.set(String(r.json.order_no), [...(seqsByOrder.get(String(r.json.order_no)) ?? []), Number(r.json.seq)]);
    for (const [orderNo, seqs] of seqsByOrder) expect([orderNo, seqs]).toEqual([orderNo, [...seqs].sort((a, b) => a - b)]);
    expect([...seqsByOrder.values()].filter((s) => s.length === 2)).toHaveLength(10);
  });

  it('a partner coming back in the middle of a round: the events it failed before its first answer go again at once', async () => {
    const ctx = get();
    await backlog(ctx, 60, 0);
    let answered = 0;
    ctx.partner.statusFor = () => (++answered <= 10 ? 503 : 200);
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: 60 });
    expect(ctx.partner.received).toHaveLength(70);
  });

  it('the outage tail: a down endpoint books even a lone failure, so it goes with the backlog when the partner is back', async () => {
    const ctx = get();
    const orders = PROBE_MIN_BOOKED + 10;
    await backlog(ctx, orders, 0);
    ctx.partner.status = 503;
    await deliverDueCallbacks(ctx.deps);
    // Down and booked; then one more event fails on its own (a round of one: fewer than OUTAGE_MIN_FAILURES).
    await backlog(ctx, 1, 0, 'L');
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ pending: orders + 1 });
    ctx.partner.status = 200;
    ctx.clock.advance(CALLBACK_PROBE_MS);
    await deliverDueCallbacks(ctx.deps);
    // Long before its 15 s retry.
    expect(await statuses(ctx)).toEqual({ delivered: orders + 1 });
  });

  it('the outage tail: answers of the outage arriving after the first 2xx of the recovery go again at once', async () => {
    const ctx = get();
    await backlog(ctx, 60, 0);
    let answered = 0;
    ctx.partner.statusFor = () => (++answered <= 5 || (answered >= 7 && answered <= 9) ? 503 : 200);
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: 60 });
    expect(ctx.partner.received).toHaveLength(68);
  });

  it('a failure while the partner answers other events keeps its retry schedule', async () => {
    const ctx = get();
    const orders = PROBE_MIN_BOOKED + 10;
    await backlog(ctx, orders, 0);
    const poison = 'ZFRECOVERR000007';
    ctx.partner.statusFor = (json) => (json.order_no === poison ? 500 : 200);
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: orders - 1, pending: 1 });
    const tries = () => ctx.partner.received.filter((r) => r.json.order_no === poison).length;
    expect(tries()).toBe(1);
    // Other events keep getting through: the poison one is not pulled forward with them.
    ctx.clock.advance(RETRY_SCHEDULE_MS[0]! - 1);
    await backlog(ctx, 5, 0, 'S');
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: orders + 4, pending: 1 });
    expect(tries()).toBe(1);
    ctx.clock.advance(1);
    await deliverDueCallbacks(ctx.deps);
    expect(tries()).toBe(2);
  });

  it('a partner down for a few events only is not probed: they keep their schedule', async () => {
    const ctx = get();
    await backlog(ctx, PROBE_MIN_BOOKED - 1, 0);
    ctx.partner.status = 503;
    await deliverDueCallbacks(ctx.deps);
    ctx.partner.status = 200;
    ctx.clock.advance(RETRY_SCHEDULE_MS[0]! - 1);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.received).toHaveLength(PROBE_MIN_BOOKED - 1);
    ctx.clock.advance(1);
    await deliverDueCallbacks(ctx.deps);
    expect(await statuses(ctx)).toEqual({ delivered: PROBE_MIN_BOOKED - 1 });
  });
});
