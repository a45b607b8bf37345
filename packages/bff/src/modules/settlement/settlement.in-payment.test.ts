// Settlement in the success's own transaction (issue 11) for card (Payzero), Guanaitong and Y = 0 orders, over the
// providers' simulators: the recorded steps are cut off here (`settleOrder` does nothing, as if the process died right
// after the success committed), so an order can only be settled if the commit that recorded its success settled it.
// A separate quota connection keeps the steps. Quota short, clearing short and racing successes settle once.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { Accounts, balanceOf, transfer } from '../../ledger/ledger.ts';
import { payzeroNotifySign } from '../../providers/payzero/sign.ts';
import { startCardPayEnv, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { startGuanaitongPayEnv, type GuanaitongPayEnv } from '../../../testing/guanaitong-pay-env.ts';
import { attemptsOf, describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { TEST_CREDENTIALS } from '../../../testing/payzero.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { pollCardResults } from '../card/card-result.service.ts';
import type * as SettlementService from './settlement.service.ts';
import { resumeSettlements } from './settlement.service.ts';

const steps = vi.hoisted(() => ({ run: false, calls: [] as string[] }));
vi.mock('./settlement.service.ts', async (importOriginal) => {
  const real = await importOriginal<typeof SettlementService>();
  return {
    ...real,
    // The recorded steps after a success: cut off unless a test turns them on (resumeSettlements keeps the real ones).
    settleOrder: async (deps: Deps, orderNo: string) => {
      steps.calls.push(orderNo);
      return steps.run ? real.settleOrder(deps, orderNo) : null;
    },
  };
});

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 10 });

afterEach(() => {
  steps.run = false;
  steps.calls.length = 0;
});

/** Drains the clearing ledger to 10.00, so an insurer share above it must be parked. */
async function drainClearing(ctx: TestContext): Promise<void> {
  await inTransaction(ctx.deps.db, (trx) =>
    transfer(trx, {
      key: 'test:drain',
      from: Accounts.clearing,
      to: Accounts.world,
      amountFen: 5_000_000 - 1000,
      memo: 'drain',
      now: ctx.clock.now(),
    }),
  );
}

/** The order's transfer keys, sorted. */
async function transferKeys(ctx: TestContext, orderNo: string): Promise<string[]> {
  const rows = await ctx.deps.db.selectFrom('ledger_transfers').select('idempotency_key').where('order_no', '=', orderNo).execute();
  return rows.map((r) => r.idempotency_key.replace(orderNo, '<no>')).sort();
}

/**
 * The order is settled by the commit that recorded its success: status and step, its legs (self-pay unless Y = 0,
 * coverage, quota, and the insurer share or — `parked` — a clearing task), one type 2 record of X, no recorded step run,
 * and exactly one `paid` callback after order_created.
 */
async function expectSettledAtSuccess(ctx: TestContext, orderNo: string, x: number, opts: { selfPay: boolean; parked?: boolean }) {
  const order = await ctx.deps.db.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirstOrThrow();
  expect(order).toMatchObject({ status: 'settled', settlement_step: 'notified' });
  expect(steps.calls).not.toContain(orderNo);
  const legs = [
    'order:<no>:coverage',
    'order:<no>:quota',
    ...(opts.parked ? [] : ['order:<no>:insurer']),
    ...(opts.selfPay ? ['order:<no>:selfpay'] : []),
  ];
  expect(await transferKeys(ctx, orderNo)).toEqual(legs.sort());
  const records = await ctx.deps.quota.recordsByRefs([orderNo]);
  expect(records.map((r) => [r.type, r.amountFen])).toEqual([[2, x]]);
  const tasks = await ctx.deps.db.selectFrom('clearing_tasks').select(['order_no', 'amount_fen']).where('order_no', '=', orderNo).execute();
  expect(tasks.map((t) => Number(t.amount_fen))).toEqual(opts.parked ? [x] : []);
  await deliverDueCallbacks(ctx.deps);
  await deliverDueCallbacks(ctx.deps);
  const events = ctx.partner.received
    .filter((r) => r.json.order_no === orderNo)
    .map((r) => `${String(r.json.event)}:${String(r.json.seq)}`);
  expect(events).toEqual(['order_created:1', 'paid:2']);
}

async function alertKinds(ctx: TestContext): Promise<string[]> {
  return (await ctx.deps.db.selectFrom('alerts').select('kind').orderBy('kind').execute()).map((a) => a.kind);
}

/** A signed PAY_SUCCEED notify as Payzero sends it. */
function payzeroSuccess(ctx: TestContext, mchtOrderNo: string, amountFen: number) {
  const msgBody = JSON.stringify({ mchtOrderNo, paymentAmount: amountFen, payStatus: 'PAY_SUCCEED', paymentOrderNo: `P-${mchtOrderNo}` });
  const timestamp = String(ctx.clock.now());
  return { timestamp, msgType: 'PAY_STATUS_NOTIFY', msgBody, sign: payzeroNotifySign(TEST_CREDENTIALS.signToken, timestamp, msgBody) };
}

describeEachDatabase('settlement in the card success transaction', (get) => {
  let env: CardPayEnv | null = null;
  afterEach(async () => {
    await env?.close();
    env = null;
  });
  const payByCard = async (ctx: TestContext, overrides: Record<string, string> = {}, policyNo = 'POL-PICC-001') => {
    env = await startCardPayEnv(ctx);
    const { token, orderNo, selfPayFen } = await env.newOrder(overrides, policyNo);
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    expect(res.status).toBe(202);
    return { orderNo, selfPayFen };
  };

  it('settles the order in the transaction that records the notify: settled, every leg, one paid callback', async () => {
    const ctx = get();
    const { orderNo } = await payByCard(ctx);
    await waitFor(async () => expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('succeeded'));
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 8000);
    expect(await alertKinds(ctx)).toEqual([]);
  });

  it('insurer quota short: INSURER_QUOTA_SHORT raised, still settled in the same transaction', async () => {
    const ctx = get();
    const { orderNo } = await payByCard(ctx, { amout: '600' }, 'POL-PAIC-001');
    await waitFor(async () => expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('succeeded'));
    await expectSettledAtSuccess(ctx, orderNo, 50_000, { selfPay: true });
    expect(await alertKinds(ctx)).toEqual(['INSURER_QUOTA_SHORT', 'INSURER_QUOTA_SHORT_EARLY']);
    expect(await ctx.deps.quota.remaining('PAIC')).toBe(10_000 - 50_000);
  });

  it('clearing ledger short: the insurer share parked for the admin (task + CLEARING_LEDGER_SHORT) in the same transaction', async () => {
    const ctx = get();
    await drainClearing(ctx);
    const { orderNo, selfPayFen } = await payByCard(ctx);
    await waitFor(async () => expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('succeeded'));
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true, parked: true });
    expect(await alertKinds(ctx)).toEqual(['CLEARING_LEDGER_SHORT']);
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(1000);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(selfPayFen);
  });

  it('the notify and the polling job racing on one success: one settlement, one paid callback, no double payment', async () => {
    const ctx = get();
    env = await startCardPayEnv(ctx);
    env.sim.dropNotifies(true);
    const { token, orderNo, selfPayFen } = await env.newOrder();
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    const [attempt] = await attemptsOf(ctx, orderNo);
    await waitFor(() => expect(env!.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
    ctx.clock.advance(2_000); // the poll is due
    const e = env;
    const [notified, polled, again] = await Promise.all([
      e.call('POST', '/api/providers/payzero/notify', undefined, payzeroSuccess(ctx, attempt!.provider_ref!, selfPayFen)),
      pollCardResults(e.deps, e.client),
      e.call('POST', '/api/providers/payzero/notify', undefined, payzeroSuccess(ctx, attempt!.provider_ref!, selfPayFen)),
    ]);
    expect([notified.body, again.body]).toEqual(['OK', 'OK']);
    expect(polled).toBeLessThanOrEqual(1);
    expect((await attemptsOf(ctx, orderNo)).map((a) => a.status)).toEqual(['succeeded']);
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true });
    expect(await alertKinds(ctx)).toEqual([]);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
  });
});

describeEachDatabase('settlement in the Guanaitong notify transaction', (get) => {
  let env: GuanaitongPayEnv | null = null;
  afterEach(async () => {
    await env?.close();
    env = null;
  });
  const payByPoints = async (ctx: TestContext, overrides: Record<string, string> = {}, policyNo = 'POL-PICC-001') => {
    env = await startGuanaitongPayEnv(ctx);
    const { token, orderNo } = await ctx.newOrder(overrides, policyNo);
    await env.payWithPoints(token, orderNo);
    return orderNo;
  };

  it('settles the order in the transaction that records the notify: settled, every leg, one paid callback', async () => {
    const ctx = get();
    const orderNo = await payByPoints(ctx);
    expect(env!.sim.control.notifyLog.map((n) => n.outcome)).toEqual(['acknowledged']);
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    expect(await alertKinds(ctx)).toEqual([]);
  });

  it('insurer quota short: INSURER_QUOTA_SHORT raised, still settled in the same transaction', async () => {
    const ctx = get();
    const orderNo = await payByPoints(ctx, { amout: '600' }, 'POL-PAIC-001');
    await expectSettledAtSuccess(ctx, orderNo, 50_000, { selfPay: true });
    expect(await alertKinds(ctx)).toEqual(['INSURER_QUOTA_SHORT', 'INSURER_QUOTA_SHORT_EARLY']);
    expect(await ctx.deps.quota.remaining('PAIC')).toBe(10_000 - 50_000);
  });

  it('clearing ledger short: the insurer share parked for the admin in the same transaction', async () => {
    const ctx = get();
    await drainClearing(ctx);
    const orderNo = await payByPoints(ctx);
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true, parked: true });
    expect(await alertKinds(ctx)).toEqual(['CLEARING_LEDGER_SHORT']);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(2000);
  });

  it('three first deliveries of the notify racing (the send and two resends held, then let go at once): settled once', async () => {
    const ctx = get();
    // Every notify the simulator sends waits at this gate until three are waiting, then all go at once.
    const held: Array<() => void> = [];
    const gate: typeof fetch = async (input, init) => {
      await new Promise<void>((resolve) => {
        held.push(resolve);
        if (held.length === 3) for (const go of held) go();
      });
      return fetch(input, init);
    };
    env = await startGuanaitongPayEnv(ctx, { sim: { fetch: gate } });
    const { token, orderNo } = await ctx.newOrder();
    const trip = env.payWithPoints(token, orderNo);
    await waitFor(() => expect(held).toHaveLength(1));
    const tradeNo = (await attemptsOf(ctx, orderNo))[0]!.provider_trade_no!;
    const replays = [env.sim.control.replayNotify(tradeNo), env.sim.control.replayNotify(tradeNo)];
    await Promise.all([trip, ...replays]);
    expect(env.sim.control.notifyLog.map((n) => n.body)).toEqual(['success', 'success', 'success']);
    expect((await attemptsOf(ctx, orderNo)).map((a) => a.status)).toEqual(['succeeded']);
    await expectSettledAtSuccess(ctx, orderNo, 8000, { selfPay: true });
    expect(await alertKinds(ctx)).toEqual([]);
  });
});

describeEachDatabase('settlement in the Y = 0 confirm transaction', (get) => {
  /** 赵六's CPIC policy pays 100 % with no deductible: confirming pays and settles at once. */
  const confirmInsurerOnly = async (
    ctx: TestContext,
    amout: string,
    claimNo: string = DEMO.users.zhaoliu.claimNo,
    policyNo = 'POL-CPIC-004',
  ) => {
    const { token } = await ctx.enter({ amout, refer_no: `REF-Y0-${amout}`, claim_no: claimNo });
    const res = await ctx.call('POST', '/api/orders', token, { policy_no: policyNo });
    expect(res.status).toBe(201);
    expect(res.body.order).toMatchObject({ self_pay_fen: 0, status: 'settled', display: 'paid' });
    return res.body.order.order_no as string;
  };

  it('settles the order in the transaction that confirms it: settled, every leg, one paid callback', async () => {
    const ctx = get();
    const orderNo = await confirmInsurerOnly(ctx, '100');
    await expectSettledAtSuccess(ctx, orderNo, 10_000, { selfPay: false });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    expect(await ctx.deps.quota.remaining('CPIC')).toBe(20_000_000 - 10_000);
    expect(await alertKinds(ctx)).toEqual([]);
  });

  it('insurer quota short: INSURER_QUOTA_SHORT raised, still settled in the confirming transaction', async () => {
    const ctx = get();
    // 张三's PAIC policy made to pay 100 % with no deductible: a 300.00 bill is all the insurer's, PAIC has 100.00.
    await ctx.deps.db
      .updateTable('policies')
      .set({ ratio_bp: 10_000, deductible_fen: 0 })
      .where('policy_no', '=', 'POL-PAIC-001')
      .execute();
    const orderNo = await confirmInsurerOnly(ctx, '300', DEMO.users.zhangsan.claimNo, 'POL-PAIC-001');
    await expectSettledAtSuccess(ctx, orderNo, 30_000, { selfPay: false });
    expect(await alertKinds(ctx)).toEqual(['INSURER_QUOTA_SHORT', 'INSURER_QUOTA_SHORT_EARLY']);
    expect(await ctx.deps.quota.remaining('PAIC')).toBe(10_000 - 30_000);
  });

  it('clearing ledger short: the insurer share parked for the admin in the confirming transaction', async () => {
    const ctx = get();
    await drainClearing(ctx);
    const orderNo = await confirmInsurerOnly(ctx, '100');
    await expectSettledAtSuccess(ctx, orderNo, 10_000, { selfPay: false, parked: true });
    expect(await alertKinds(ctx)).toEqual(['CLEARING_LEDGER_SHORT']);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(0);
  });
});

// The quota tables on their own connection (another database): no shared transaction, so the recorded steps run.
const quotaDir = mkdtempSync(path.join(os.tmpdir(), 'zf-quota-'));
describeEachDatabase(
  'settlement by the recorded steps with a separate quota connection',
  (get) => {
    it('card and Y = 0 successes leave the order paid at step pending for the steps, which settle it once', async () => {
      const ctx = get();
      expect(ctx.deps.quota.sharesDatabase).toBe(false);
      const before = { PICC: await ctx.deps.quota.remaining('PICC'), CPIC: await ctx.deps.quota.remaining('CPIC') };
      const env = await startCardPayEnv(ctx);
      try {
        const { token, orderNo } = await env.newOrder({ refer_no: `REF-STEPS-${ctx.db}` });
        await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
        await waitFor(() => expect(steps.calls).toContain(orderNo));
        const y0 = await ctx.enter({ amout: '100', refer_no: `REF-STEPS-Y0-${ctx.db}`, claim_no: DEMO.users.zhaoliu.claimNo });
        const confirmed = await ctx.call('POST', '/api/orders', y0.token, { policy_no: 'POL-CPIC-004' });
        expect(confirmed.body.order).toMatchObject({ status: 'paid' });
        const y0No = confirmed.body.order.order_no as string;
        for (const no of [orderNo, y0No]) {
          expect(steps.calls).toContain(no);
          const row = await ctx.deps.db.selectFrom('orders').selectAll().where('order_no', '=', no).executeTakeFirstOrThrow();
          expect(row).toMatchObject({ status: 'paid', settlement_step: 'pending' });
        }
        expect(await resumeSettlements(ctx.deps)).toBe(2);
        expect(await resumeSettlements(ctx.deps)).toBe(0);
        for (const no of [orderNo, y0No])
          expect(
            (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', no).executeTakeFirstOrThrow()).status,
          ).toBe('settled');
        expect(await ctx.deps.quota.remaining('PICC')).toBe(before.PICC - 8000);
        expect(await ctx.deps.quota.remaining('CPIC')).toBe(before.CPIC - 10_000);
        await deliverDueCallbacks(ctx.deps);
        expect(ctx.partner.events().filter((e) => e === 'paid')).toHaveLength(2);
      } finally {
        await env.close();
      }
    });
  },
  { QUOTA_DATABASE_URL: `sqlite:${path.join(quotaDir, 'api_core_v2.db')}` },
);
