// The console's reconciliation API: who may read and run, the audit row of a run, bad windows refused with a code and
// nothing written, one run at a time (ZF0300) until a dead run's lease runs out, a planted difference in the run's
// differences grouped by check, and the daily job storing its run once a day.
import { expect, it, vi } from 'vitest';
import { adminRequest, auditCount, createRoleAdmins, signInAs, type AdminCall } from '../../../testing/admin.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { reconcileJobs } from '../reconcile/reconcile.job.ts';
import { executeRun, RUN_LEASE_MS, startRun } from '../reconcile/reconcile-runs.service.ts';
import { reconcile } from '../reconcile/reconcile.service.ts';

const HOUR = 3600_000;
const RUNS = '/api/admin/reconcile/runs';

const runRows = (ctx: TestContext) => ctx.deps.db.selectFrom('reconcile_runs').selectAll().orderBy('started_at').execute();

async function paidOrder(ctx: TestContext, referNo: string): Promise<string> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: referNo });
  expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
  return orderNo;
}

/** Runs now for the last 24 h and waits for the run to finish; returns the finished run with its differences. */
async function runNow(ctx: TestContext, who: AdminCall) {
  const now = ctx.clock.now();
  const started = await who('POST', RUNS, { since: now - 24 * HOUR, until: now });
  expect(started.status).toBe(202);
  expect(started.body.run).toMatchObject({ state: 'running', since: now - 24 * HOUR, until: now });
  let body: { run: { state: string; differences: number; orders: number }; groups: unknown[] } | null = null;
  await vi.waitFor(
    async () => {
      const res = await who('GET', `${RUNS}/${started.body.run.id}`);
      expect(res.status).toBe(200);
      expect(res.body.run.state).toBe('done');
      body = res.body;
    },
    { timeout: 10_000, interval: 20 },
  );
  return body!;
}

describeEachDatabase('admin reconciliation API', (get) => {
  it('lets every role read, operator and finance run (audited), refuses bad windows and a second run with a code, writing nothing', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const [view, op, fin] = [await signInAs(ctx, 'view'), await signInAs(ctx, 'op'), await signInAs(ctx, 'fin')];
    const now = ctx.clock.now();
    const window = { since: now - 24 * HOUR, until: now };
    for (const who of [view, op, fin]) expect((await who('GET', RUNS)).body).toEqual({ items: [], total: 0, page: 1, size: 20 });
    expect((await adminRequest(ctx, undefined, 'GET', RUNS)).status).toBe(401);
    expect((await adminRequest(ctx, undefined, 'POST', RUNS, window)).status).toBe(401);

    const audits = await auditCount(ctx);
    const refused: Array<[unknown, number, string]> = [
      [window, 403, 'ZF0261'], // the viewer
      [{ since: now, until: now - 1 }, 422, 'ZF0301'],
      [{ since: now - 32 * 24 * HOUR, until: now }, 422, 'ZF0301'],
      [{ since: now, until: now + 2 * HOUR }, 422, 'ZF0301'],
      [{ since: 'yesterday', until: now }, 400, 'ZF0010'],
      [{ since: 1.5, until: now }, 400, 'ZF0010'],
      [{}, 400, 'ZF0010'],
    ];
    for (const [i, [body, status, code]] of refused.entries()) {
      const res = await (i === 0 ? view : fin)('POST', RUNS, body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
    }
    expect(await runRows(ctx)).toEqual([]);
    expect(await auditCount(ctx)).toBe(audits);

    const done = await runNow(ctx, op);
    expect(done.run).toMatchObject({ state: 'done', differences: 0, orders: 0 });
    expect(done.groups).toEqual([]);
    const audit = await ctx.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'reconcile.run').execute();
    expect(audit.map((a) => [a.actor, a.role, a.target])).toEqual([['op', 'operator', (await runRows(ctx))[0]!.id]]);
    expect(JSON.parse(audit[0]!.after_json!)).toEqual(window);

    // Another run holds the slot (an instance's job, a CLI run): refused with ZF0300, nothing written.
    ctx.clock.advance(1_000);
    const held = await startRun(ctx.deps, { ...window, ranBy: 'cli' });
    expect(held).not.toBeNull();
    const busy = await fin('POST', RUNS, window);
    expect([busy.status, busy.body.code]).toEqual([409, 'ZF0300']);
    expect((await runRows(ctx)).length).toBe(2);
    expect(await auditCount(ctx)).toBe(audits + 1);
    // Its instance died: past its lease the list shows it interrupted, and the next run marks it failed and goes ahead.
    ctx.clock.advance(RUN_LEASE_MS + 1);
    const list = await view('GET', RUNS);
    expect(list.body.items.map((r: { ran_by: string; state: string }) => [r.ran_by, r.state])).toEqual([
      ['cli', 'interrupted'],
      ['admin:op', 'done'],
    ]);
    await runNow(ctx, fin);
    const rows = await runRows(ctx);
    expect(rows.map((r) => [r.ran_by, r.state, r.active])).toEqual([
      ['admin:op', 'done', null],
      ['cli', 'failed', null],
      ['admin:fin', 'done', null],
    ]);
    expect(rows[1]!.error).toMatch(/interrupted/);
    expect((await view('GET', `${RUNS}?page=2&size=2`)).body).toMatchObject({
      total: 3,
      page: 2,
      size: 2,
      items: [{ ran_by: 'admin:op' }],
    });
    expect((await view('GET', `${RUNS}/RC-NOPE`)).body.code).toBe('ZF0263');
  });

  it('shows a planted difference in the run’s differences, grouped by check with its order', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const fin = await signInAs(ctx, 'fin');
    const a = await paidOrder(ctx, 'REF-RC-1');
    const b = await paidOrder(ctx, 'REF-RC-2');
    await deliverDueCallbacks(ctx.deps);
    ctx.clock.advance(60_000);
    const clean = await runNow(ctx, fin);
    expect(clean.run).toMatchObject({ differences: 0, orders: 2 });
    // Planted: order b's paid callback never delivered.
    await ctx.deps.db.updateTable('callback_events').set({ status: 'pending' }).where('order_no', '=', b).where('final', '=', 1).execute();
    ctx.clock.advance(60_000);
    const found = await runNow(ctx, fin);
    expect(found.run).toMatchObject({ differences: 1, orders: 2 });
    expect(found.groups).toEqual([
      { check: 'callback', count: 1, items: [{ order_no: b, ic_code: null, detail: expect.stringMatching(/final callback/) }] },
    ]);
    expect(a).not.toBe(b);
  });

  it('the daily job stores its run once a day (ran_by job), whatever the number of ticks', async () => {
    const ctx = get();
    // 03:05 Asia/Shanghai of the test's day.
    const day = Math.floor((ctx.clock.now() + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;
    ctx.clock.set(day + 3 * HOUR + 5 * 60_000 + (ctx.clock.now() < day + 3 * HOUR ? 0 : 24 * HOUR));
    const [job] = reconcileJobs(ctx.deps);
    await job!.run();
    ctx.clock.advance(10 * 60_000);
    await job!.run();
    const rows = await runRows(ctx);
    expect(rows.map((r) => [r.ran_by, r.state, Number(r.until) - Number(r.since)])).toEqual([['job', 'done', 24 * HOUR]]);
  });

  it('reports progress every 20 orders, renewing the lease; a run that lost its slot stores nothing', async () => {
    const ctx = get();
    for (let i = 0; i < 41; i++) {
      // (past the per-IP session limit's window every 10 entries)
      if (i % 10 === 9) ctx.clock.advance(61_000);
      await ctx.newOrder({ refer_no: `REF-PG-${i}` });
    }
    const calls: Array<[number, number]> = [];
    await reconcile(ctx.deps, { since: 0, onProgress: async (done, total) => void calls.push([done, total]) });
    expect(calls).toEqual([
      [20, 41],
      [40, 41],
      [41, 41],
    ]);
    const now = ctx.clock.now();
    const run = (await startRun(ctx.deps, { since: 0, until: now + 1, ranBy: 'cli' }))!;
    ctx.clock.advance(1_000);
    const report = await executeRun(ctx.deps, run);
    const stored = (await runRows(ctx))[0]!;
    expect([stored.state, Number(stored.orders), Number(stored.orders_done), Number(stored.difference_count), stored.active]).toEqual([
      'done',
      41,
      41,
      report.differences.length,
      null,
    ]);
    // A run whose lease ran out and whose slot another run took: its checkpoint fails, it stores nothing of its own.
    const stale = (await startRun(ctx.deps, { since: 0, until: now + 1, ranBy: 'cli' }))!;
    ctx.clock.advance(RUN_LEASE_MS + 1);
    const taker = (await startRun(ctx.deps, { since: 0, until: now + 1, ranBy: 'job' }))!;
    await expect(executeRun(ctx.deps, stale)).rejects.toThrow(/lease lost/);
    const rows = await ctx.deps.db.selectFrom('reconcile_runs').selectAll().where('id', 'in', [stale.id, taker.id]).execute();
    expect(rows.map((r) => [r.ran_by, r.state, r.active]).sort()).toEqual([
      ['cli', 'failed', null],
      ['job', 'running', 'run'],
    ]);
    expect(await ctx.deps.db.selectFrom('reconcile_differences').select('seq').where('run_id', '=', stale.id).execute()).toEqual([]);
    await executeRun(ctx.deps, taker);
  });
});
