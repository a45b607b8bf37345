// Providers misbehaving (issue 12), against the simulators over real HTTP with a fault proxy in between: Payzero and
// Guanaitong answering 5xx, hanging past our client timeout (PROVIDER_TIMEOUT_MS; every request still answers within
// it plus a margin), and Payzero's notifies out of order. Never a double settlement; results come by polling; the
// harness checks both books sum to zero after each test.
import { afterEach, expect, it, vi } from 'vitest';
import { Accounts, balanceOf } from '../src/ledger/ledger.ts';
import { deliverDueCallbacks } from '../src/modules/callback/callback.worker.ts';
import { pollCardResults } from '../src/modules/card/card-result.service.ts';
import { payzeroNotifySign } from '../src/providers/payzero/sign.ts';
import { startCardPayEnv, type CardPayEnv } from './card-pay-env.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { startGuanaitongPayEnv, type GuanaitongPayEnv } from './guanaitong-pay-env.ts';
import { attemptsOf, describeEachDatabase, type TestContext } from './harness.ts';
import { TEST_CREDENTIALS } from './payzero.ts';

/** The client timeout under test, and the bound every request must answer within. */
const TIMEOUT_MS = 800;
const BOUND_MS = TIMEOUT_MS + 1_500;
const CARD = { card_id: 'CARD-DEMO-001', pin: '123456' };

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 10 });
const status = async (ctx: TestContext, orderNo: string) =>
  (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status;
async function callbacks(ctx: TestContext, deps: CardPayEnv['deps']): Promise<string[]> {
  await deliverDueCallbacks(deps);
  return ctx.partner.received.map((r) => `${String(r.json.event)}:${String(r.json.seq)}`);
}
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}
const transfers = async (ctx: TestContext) =>
  Number(
    (
      await ctx.deps.db
        .selectFrom('ledger_transfers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describeEachDatabase(
  'providers misbehaving',
  (get) => {
    let proxy: FaultProxy | null = null;
    let card: CardPayEnv | null = null;
    let gat: GuanaitongPayEnv | null = null;
    afterEach(async () => {
      await card?.close();
      await gat?.close();
      await proxy?.close();
      card = gat = proxy = null;
    });
    const payzero = async (sim = {}) => {
      proxy = await startFaultProxy();
      card = await startCardPayEnv(get(), { proxy, sim });
      return { env: card, proxy };
    };

    /** A signed PAY_STATUS_NOTIFY as Payzero sends it, straight to our notify endpoint. */
    const notify = (env: CardPayEnv, body: Record<string, unknown>) => {
      const msgBody = JSON.stringify(body);
      const timestamp = String(get().clock.now());
      const sign = payzeroNotifySign(TEST_CREDENTIALS.signToken, timestamp, msgBody);
      return env.call('POST', '/api/providers/payzero/notify', undefined, { timestamp, msgType: 'PAY_STATUS_NOTIFY', msgBody, sign });
    };

    it('Payzero answering 5xx to every poll for a while: nothing settles on an error, polling goes on, the result is applied once', async () => {
      const ctx = get();
      const { env, proxy } = await payzero();
      env.sim.dropNotifies(true);
      const { token, orderNo } = await env.newOrder();
      expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, CARD)).status).toBe(202);
      const [attempt] = await attemptsOf(ctx, orderNo);
      await waitFor(() => expect(env.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
      proxy.inject({ kind: 'status', status: 503 }, 4, '/order/');
      for (let i = 0; i < 4; i++) {
        ctx.clock.advance(120_000); // past any backoff
        expect(await pollCardResults(env.deps, env.client)).toBe(0);
      }
      expect(proxy.log.filter((l) => l.endsWith('-> 503'))).toHaveLength(4);
      expect(await status(ctx, orderNo)).toBe('open');
      ctx.clock.advance(120_000);
      expect(await pollCardResults(env.deps, env.client)).toBe(1);
      ctx.clock.advance(120_000);
      expect(await pollCardResults(env.deps, env.client)).toBe(0);
      expect(await status(ctx, orderNo)).toBe('settled');
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      expect(await callbacks(ctx, env.deps)).toEqual(['order_created:1', 'paid:2']);
    });

    it('Payzero hanging on createAndPay after taking the order: the pay request answers 202 within the timeout bound; the notify settles it once', async () => {
      const ctx = get();
      const { env, proxy } = await payzero();
      const { token, orderNo } = await env.newOrder();
      proxy.inject({ kind: 'hang-after' }, 1, '/order/createAndPay');
      const { value: res, ms } = await timed(() => env.call('POST', `/api/orders/${orderNo}/pay/card`, token, CARD));
      expect(res.status).toBe(202);
      expect(['processing', 'paid']).toContain(res.body.order.display); // the notify may beat our timeout
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(BOUND_MS);
      await waitFor(async () => expect(await status(ctx, orderNo)).toBe('settled'));
      // A late poll changes nothing.
      ctx.clock.advance(120_000);
      await pollCardResults(env.deps, env.client);
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      expect((await callbacks(ctx, env.deps)).filter((c) => c.startsWith('paid'))).toHaveLength(1);
    });

    it('Payzero hanging on every poll: each poll gives up within the bound, and the next one after it answers applies the result', async () => {
      const ctx = get();
      const { env, proxy } = await payzero();
      env.sim.dropNotifies(true);
      const { token, orderNo } = await env.newOrder();
      await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, CARD);
      const [attempt] = await attemptsOf(ctx, orderNo);
      await waitFor(() => expect(env.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
      proxy.inject({ kind: 'hang' }, 2, '/order/');
      for (let i = 0; i < 2; i++) {
        ctx.clock.advance(120_000);
        const { value, ms } = await timed(() => pollCardResults(env.deps, env.client));
        expect(value).toBe(0);
        expect(ms).toBeLessThan(BOUND_MS);
      }
      ctx.clock.advance(120_000);
      expect(await pollCardResults(env.deps, env.client)).toBe(1);
      expect(await status(ctx, orderNo)).toBe('settled');
      expect(await callbacks(ctx, env.deps)).toEqual(['order_created:1', 'paid:2']);
    });

    /** A card attempt Payzero holds (no notify, the success 10 min away): the notifies the test sends decide it. */
    const cardAttemptAwaitingNotify = async () => {
      const ctx = get();
      const { env } = await payzero();
      env.sim.dropNotifies(true);
      env.sim.setCardBehaviour('0000', { outcome: 'succeed', delayMs: 600_000 });
      const { token, orderNo, selfPayFen } = await env.newOrder();
      await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, CARD);
      const [attempt] = await attemptsOf(ctx, orderNo);
      return { ctx, env, orderNo, base: { mchtOrderNo: attempt!.provider_ref, paymentAmount: selfPayFen } };
    };

    it('out of order: a failure after the success changes nothing; the same success three times at once settles once', async () => {
      const { ctx, env, orderNo, base } = await cardAttemptAwaitingNotify();
      const success = { ...base, payStatus: 'PAY_SUCCEED', paymentOrderNo: 'P-OK-1', paymentDatetime: '20261201100000' };
      const answers = await Promise.all([1, 2, 3].map(() => notify(env, success)));
      expect(answers.map((a) => a.body)).toEqual(['OK', 'OK', 'OK']);
      expect(await status(ctx, orderNo)).toBe('settled');
      const after = await transfers(ctx);
      expect(await notify(env, { ...base, payStatus: 'PAY_FAILED', failReason: '银行卡交易被拒绝' })).toEqual({ status: 200, body: 'OK' });
      expect(await status(ctx, orderNo)).toBe('settled');
      expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'succeeded', provider_trade_no: 'P-OK-1' });
      expect(await transfers(ctx)).toBe(after);
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      expect(await callbacks(ctx, env.deps)).toEqual(['order_created:1', 'paid:2']);
    });

    it('out of order: a success after the failure was recorded is money that arrived: applied once (the order is paid), never twice', async () => {
      const { ctx, env, orderNo, base } = await cardAttemptAwaitingNotify();
      expect(await notify(env, { ...base, payStatus: 'PAY_FAILED', failReason: '银行卡交易被拒绝' })).toEqual({ status: 200, body: 'OK' });
      expect((await attemptsOf(ctx, orderNo))[0]!.status).toBe('failed');
      expect(await status(ctx, orderNo)).toBe('open');
      const success = { ...base, payStatus: 'PAY_SUCCEED', paymentOrderNo: 'P-LATE-1', paymentDatetime: '20261201100000' };
      expect((await notify(env, success)).body).toBe('OK');
      expect((await notify(env, success)).body).toBe('OK');
      // The still-open order is paid once by the money that arrived; the partner hears failed, then paid (higher seq).
      expect(await status(ctx, orderNo)).toBe('settled');
      expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'succeeded', provider_trade_no: 'P-LATE-1' });
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      expect(await callbacks(ctx, env.deps)).toEqual(['order_created:1', 'failed:2', 'paid:3']);
      const once = await transfers(ctx);
      ctx.clock.advance(120_000);
      await pollCardResults(env.deps, env.client);
      expect(await transfers(ctx)).toBe(once);
    });

    it('Guanaitong answering 5xx, then hanging, to checkUserAndToPay: each auth callback answers a cashier page with a code within the bound, nothing is paid; the next trip settles once', async () => {
      const ctx = get();
      proxy = await startFaultProxy();
      gat = await startGuanaitongPayEnv(ctx, { proxy });
      const { token } = await ctx.enter();
      const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
      const orderNo = created.body.order.order_no as string;
      for (const fault of [{ kind: 'status', status: 502 }, { kind: 'hang' }] as const) {
        proxy.inject(fault, 1, '/employee/checkUserAndToPay');
        const { value: back, ms } = await timed(() => gat!.tripToCallback(token, orderNo, proxy!.url));
        expect(ms).toBeLessThan(BOUND_MS);
        expect(back).toContain('/pages/cashier/cashier');
        expect(back).toMatch(/ZF0(090|130)/);
        expect(await status(ctx, orderNo)).toBe('open');
        expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(0);
      }
      expect(proxy.log.some((l) => l.includes('checkUserAndToPay -> hang'))).toBe(true);
      await gat.payWithPoints(token, orderNo);
      await waitFor(async () => expect(await status(ctx, orderNo)).toBe('settled'));
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      expect((await callbacks(ctx, gat.deps)).filter((c) => c.startsWith('paid'))).toEqual(['paid:2']);
    });
  },
  { PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS) },
);
