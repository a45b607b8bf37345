// The daily job's window (issue 9): it ends an hour before the 03:00 run, so an order paid just before the run with
// its final callback still on its way is not reported, and the next day's window covers it; consecutive days' windows
// tile (no gap, no overlap) wherever in the 03:00 hour the run starts.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { dailyWindow, reconcileJobs } from './reconcile.job.ts';
import { reconcile } from './reconcile.service.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 00:00 Asia/Shanghai of the day containing `t`, as an instant. */
const shanghaiMidnight = (t: number) => Math.floor((t + 8 * HOUR) / DAY) * DAY - 8 * HOUR;

describe('dailyWindow', () => {
  it('is the Shanghai day up to 02:00 for any run in the 03:00 hour, and consecutive days tile', () => {
    const first = shanghaiMidnight(Date.UTC(2026, 11, 2)) + DAY;
    let previous: { since: number; until: number } | null = null;
    for (let d = 0; d < 40; d++) {
      const midnight = first + d * DAY;
      const windows = [0, 1, 10, 30, 59].map((m) => dailyWindow(midnight + 3 * HOUR + m * MIN + 17));
      for (const w of windows) expect(w).toEqual({ since: midnight + 2 * HOUR - DAY, until: midnight + 2 * HOUR });
      if (previous) expect(windows[0]!.since).toBe(previous.until);
      previous = windows.at(-1)!;
    }
  });
});

describeEachDatabase('the daily reconciliation window', (get) => {
  it('leaves an order paid 5 minutes before the run, its paid callback still on its way, to the next day, where it is clean', async () => {
    const ctx = get();
    const [job] = reconcileJobs(ctx.deps);
    const runs = () => ctx.deps.db.selectFrom('reconcile_runs').selectAll().where('ran_by', '=', 'job').orderBy('started_at').execute();
    const day = shanghaiMidnight(ctx.clock.now()) + DAY;
    ctx.clock.set(day + 2 * HOUR + 54 * MIN);
    const { token, orderNo } = await ctx.newOrder({ refer_no: 'REF-DW-1' });
    ctx.clock.advance(MIN); // 02:55, five minutes before the run
    expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' })).status).toBe(200);
    ctx.clock.set(day + 3 * HOUR);
    // A window up to the run would report the callback that has not arrived yet.
    const upToNow = await reconcile(ctx.deps, { since: day, until: ctx.clock.now() });
    expect(upToNow.differences).toContainEqual(expect.objectContaining({ check: 'callback', orderNo }));

    await job!.run();
    const [first] = await runs();
    expect(first).toMatchObject({ state: 'done', difference_count: 0, since: day + 2 * HOUR - DAY, until: day + 2 * HOUR });
    expect(await ctx.deps.db.selectFrom('alerts').select('kind').where('kind', '=', 'RECONCILE_DIFFERENCE').execute()).toEqual([]);

    await deliverDueCallbacks(ctx.deps);
    ctx.clock.set(day + DAY + 3 * HOUR + 20 * MIN); // the next day, later in the hour
    await job!.run();
    const [, second] = await runs();
    expect(second).toMatchObject({
      state: 'done',
      orders: 1,
      difference_count: 0,
      since: Number(first!.until),
      until: day + DAY + 2 * HOUR,
    });
  });
});
