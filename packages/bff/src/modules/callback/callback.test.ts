// The outbox under partner outages: retries with growing intervals and the same event_id, strict seq order, `dead`
// after the schedule, admin replay.
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks, replayCallback } from './callback.worker.ts';
import { RETRY_SCHEDULE_MS } from './callback.service.ts';

async function paidOrder(ctx: TestContext) {
  const { token } = await ctx.enter();
  const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
  const paid = await ctx.call('POST', `/api/orders/${created.body.order.order_no}/pay/balance`, token, { pin: '123456' });
  expect(paid.status).toBe(200);
  return created.body.order.order_no as string;
}

describeEachDatabase('partner callbacks', (get) => {
  it('retries a failing partner on the growing schedule with the same event_id, then delivers', async () => {
    const ctx = get();
    await paidOrder(ctx);
    ctx.partner.status = 503;
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']); // the `paid` event waits behind seq 1
    const firstId = ctx.partner.received[0]!.json.event_id;

    // Not yet due: nothing is sent.
    ctx.clock.advance(RETRY_SCHEDULE_MS[0]! - 1);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.received).toHaveLength(1);

    ctx.clock.advance(1);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.received).toHaveLength(2);
    ctx.clock.advance(RETRY_SCHEDULE_MS[1]!);
    ctx.partner.status = 200;
    await deliverDueCallbacks(ctx.deps);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'order_created', 'order_created', 'paid']);
    expect(new Set(ctx.partner.received.slice(0, 3).map((r) => r.json.event_id))).toEqual(new Set([firstId]));
    const seqs = ctx.partner.received.map((r) => r.json.seq);
    expect(seqs).toEqual([1, 1, 1, 2]);
    const rows = await ctx.deps.db.selectFrom('callback_events').select(['event', 'status', 'attempts']).orderBy('seq').execute();
    expect(rows.map((r) => [r.event, r.status, Number(r.attempts)])).toEqual([
      ['order_created', 'delivered', 3],
      ['paid', 'delivered', 1],
    ]);
    const log = await ctx.deps.db.selectFrom('callback_deliveries').select(['status_code']).orderBy('created_at').execute();
    expect(log.map((l) => l.status_code)).toEqual([503, 503, 200, 200]);
  });

  it('marks an event dead after ~24 h of failures, raises an alert, and replays it with the same event_id', async () => {
    const ctx = get();
    await paidOrder(ctx);
    ctx.partner.status = 500;
    let sent = 0;
    for (const delay of [0, ...RETRY_SCHEDULE_MS]) {
      ctx.clock.advance(delay);
      await deliverDueCallbacks(ctx.deps);
      sent++;
    }
    // seq 1 on every run; `paid` (seq 2) too once it waited out the hold-back (it is not blocked for 24 h).
    expect(ctx.partner.received.filter((r) => r.json.event === 'order_created')).toHaveLength(sent);
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600_000);
    const first = await ctx.deps.db.selectFrom('callback_events').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(first.status).toBe('dead');
    expect((await ctx.deps.db.selectFrom('alerts').select('kind').where('kind', '=', 'CALLBACK_DEAD').execute()).length).toBe(1);

    // With seq 1 dead, seq 2 (`paid`) is no longer held back.
    ctx.partner.status = 200;
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events().at(-1)).toBe('paid');

    expect(await replayCallback(ctx.deps, first.id)).toBe(true);
    await deliverDueCallbacks(ctx.deps);
    const last = ctx.partner.received.at(-1)!;
    expect(last.json).toMatchObject({ event: 'order_created', event_id: first.id });
    expect(last.headers['webhook-id']).toBe(first.id);
  });

  it('never sends to a host off the allow-list even if one reached the outbox', async () => {
    const ctx = get();
    await paidOrder(ctx);
    await ctx.deps.db.updateTable('callback_events').set({ url: 'http://169.254.169.254/latest' }).execute();
    const report = await deliverDueCallbacks(ctx.deps);
    expect(report.dead).toBeGreaterThanOrEqual(1);
    expect(ctx.partner.received).toHaveLength(0);
  });

  it('resends an event whose sender crashed mid-delivery once its lease has expired', async () => {
    const ctx = get();
    await paidOrder(ctx);
    // A crashed worker left seq 1 claimed ("sending") with a lease.
    await ctx.deps.db
      .updateTable('callback_events')
      .set({ status: 'sending', lease_until: ctx.clock.now() + 60_000 })
      .where('seq', '=', 1)
      .execute();
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.received).toHaveLength(0);
    ctx.clock.advance(60_001);
    await deliverDueCallbacks(ctx.deps);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });
});
