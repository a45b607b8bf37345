// A stored run whose instance stops mid-way (its lease runs out after a checkpoint) is claimed by another instance's
// `resume-reconcile` job and continued from its last checkpoint: the stored run ends exactly as an uninterrupted run
// of the same window does (the same differences, each once, in the same order; the same counts).
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { differencesOf, findRun } from './reconcile-runs.repository.ts';
import { executeRun, RUN_LEASE_MS, startRun } from './reconcile-runs.service.ts';
import { reconcileJobs } from './reconcile.job.ts';

/** After `allowed` updates of reconcile_runs, every further one fails: the instance is gone mid-run. */
function dieAfterUpdates(allowed: number): KyselyPlugin {
  let updates = 0;
  return {
    transformQuery({ node }: PluginTransformQueryArgs) {
      if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.table).includes('"reconcile_runs"') && ++updates > allowed)
        throw new Error('instance stopped');
      return node;
    },
    transformResult: async ({ result }: PluginTransformResultArgs) => result,
  };
}

const stored = async (ctx: TestContext, id: string) => {
  const run = (await findRun(ctx.deps.db, id))!;
  const counts = ['state', 'orders', 'orders_done', 'insurers', 'provider_checks', 'difference_count'] as const;
  return {
    run: Object.fromEntries(counts.map((k) => [k, k === 'state' ? run[k] : Number(run[k])])),
    differences: (await differencesOf(ctx.deps.db, id, 1_000)).map((d) => [Number(d.seq), d.check_name, d.order_no, d.detail]),
  };
};

describeEachDatabase('resuming a reconciliation run', (get) => {
  it('a run whose instance stopped after a checkpoint is finished by another with the result of an uninterrupted run', async () => {
    const ctx = get();
    const nos: string[] = [];
    const paid: number[] = [];
    for (let i = 0; i < 45; i++) {
      if (i % 10 === 9) ctx.clock.advance(61_000); // past the per-IP session limit's window
      const o = await ctx.newOrder({ refer_no: `REF-RS-${i}`, amout: '1' });
      if ((await ctx.call('POST', `/api/orders/${o.orderNo}/pay/balance`, o.token, { pin: '123456' })).status === 200) paid.push(i);
      if (i === 19) ctx.clock.advance(901_000); // past the PIN tries' limit per user (20 in 15 min)
      nos.push(o.orderNo);
    }
    await deliverDueCallbacks(ctx.deps);
    // Planted, one before and one after the first checkpoint (20 orders): final callbacks never delivered.
    const before = paid.find((i) => i < 20)!;
    const after = paid.find((i) => i >= 20)!;
    const planted = [nos[before]!, nos[after]!];
    const setFinalCallbacks = (status: 'pending' | 'delivered') =>
      ctx.deps.db.updateTable('callback_events').set({ status }).where('order_no', 'in', planted).where('final', '=', 1).execute();
    await setFinalCallbacks('pending');
    const window = { since: 0, until: ctx.clock.now() + 1 };

    const whole = (await startRun(ctx.deps, { ...window, ranBy: 'cli' }))!;
    await executeRun(ctx.deps, whole);
    const expected = await stored(ctx, whole.id);
    expect(expected.run).toMatchObject({ state: 'done', orders: 45, orders_done: 45 });
    expect(expected.differences.filter((d) => d[1] === 'callback').map((d) => d[2])).toEqual(planted);

    ctx.clock.advance(1_000);
    const cut = (await startRun(ctx.deps, { ...window, ranBy: 'admin:finance' }))!;
    const dying = { ...ctx.deps, db: ctx.deps.db.withPlugin(dieAfterUpdates(1)) };
    await expect(executeRun(dying, cut)).rejects.toThrow('instance stopped');
    // Left running with its first checkpoint: 20 orders, the first planted difference stored.
    const left = (await findRun(ctx.deps.db, cut.id))!;
    expect([left.state, Number(left.orders_done), left.cursor_no, Number(left.difference_count)]).toEqual(['running', 20, nos[19], 1]);

    const resume = reconcileJobs(ctx.deps).find((j) => j.name === 'resume-reconcile')!;
    await resume.run(); // the lease has not run out: nothing to do
    expect((await findRun(ctx.deps.db, cut.id))!.state).toBe('running');
    ctx.clock.advance(RUN_LEASE_MS + 1);
    await resume.run();
    const resumed = await stored(ctx, cut.id);
    expect(resumed).toEqual(expected);
    expect(Number((await findRun(ctx.deps.db, cut.id))!.resumes)).toBe(1);
    await resume.run(); // done: nothing left to resume
    expect(Number((await findRun(ctx.deps.db, cut.id))!.resumes)).toBe(1);
    await setFinalCallbacks('delivered');
  });
});
