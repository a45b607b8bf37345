// 关爱通 payment end to end over real HTTP, on SQLite and MariaDB: the simulator on an ephemeral port and the whole app
// served on another, so every redirect, page and notify is a real request. The browser is `fetch` with
// `redirect: 'manual'`, following each Location by hand and submitting the simulator's forms as a user would.
import { Hono } from 'hono';
import { afterEach, expect, it, vi } from 'vitest';
import { createApp } from '../../app.ts';
import type { Deps } from '../../deps.ts';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { signParams } from '../../providers/guanaitong/sign.ts';
import { createGuanaitongSimulator, type GuanaitongSimulator } from '../../../dev/guanaitong/simulator.ts';
import { serveApp, TEST_GAT, type ServedApp } from '../../../testing/guanaitong.ts';
import { attemptsOf, describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import { failStaleGuanaitongAttempts } from './guanaitong-result.service.ts';
import { GUANAITONG_PATHS } from './guanaitong-trip.ts';

const WALLET = 'http://wallet.test/wallet/index.html';
/** The demo order: ¥100.00 on POL-PICC-001 (80 %): the insurer pays 80.00, the user 20.00 through Guanaitong. */
const SELF_PAY_FEN = 2000;

interface Gat {
  sim: GuanaitongSimulator;
  simUrl: string;
  appUrl: string;
  deps: Deps;
  /** A JSON request to the served app. */
  call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts the simulator (sharing the test's manual clock) and serves the app configured for it and for itself. */
async function startGat(ctx: TestContext, simOptions?: Parameters<typeof createGuanaitongSimulator>[0]): Promise<Gat> {
  const sim = createGuanaitongSimulator({
    ...TEST_GAT,
    clock: ctx.clock,
    timeScale: 1e-3,
    onUnexpectedError: (err) => {
      throw err;
    },
    ...simOptions,
  });
  const simServer = await sim.start();
  let app: ReturnType<typeof createApp> | null = null;
  // The app's public URL is only known once it listens, so the server forwards to an app built right after.
  const served: ServedApp = await serveApp(new Hono().all('*', (c) => (app ? app.fetch(c.req.raw) : c.text('starting', 503))));
  const deps: Deps = {
    ...ctx.deps,
    config: { ...ctx.deps.config, publicBaseUrl: served.url, walletUrl: WALLET, guanaitong: { baseUrl: simServer.url, ...TEST_GAT } },
  };
  app = createApp(deps);
  return {
    sim,
    simUrl: simServer.url,
    appUrl: served.url,
    deps,
    async call(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${served.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async close() {
      await simServer.close();
      await served.close();
    },
  };
}

/** One browser step: the status and where it redirects to. */
async function visit(url: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; body: string }> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

/** The query after the hash of an H5 URL, and its route. */
function h5Route(url: string): { route: string; query: URLSearchParams } {
  expect(url.startsWith(`${WALLET}#/`)).toBe(true);
  const [route = '', query = ''] = new URL(url).hash.slice(1).split('?');
  return { route, query: new URLSearchParams(query) };
}

/** H5 start → Guanaitong's login page → submit it → our auth callback; answers where the callback sends the browser. */
async function loginAndComeBack(
  gat: Gat,
  token: string,
  orderNo: string,
  payType: 1 | 2,
  tamper?: (callback: URL) => void,
): Promise<string> {
  const start = await gat.call('POST', `/api/orders/${orderNo}/pay/guanaitong/start`, token, { pay_type: payType });
  expect(start.status).toBe(200);
  const loginUrl = new URL(String(start.body.login_url));
  expect(`${loginUrl.origin}${loginUrl.pathname}`).toBe(`${gat.simUrl}/sso/login`);
  const page = await visit(loginUrl.toString());
  expect(page.status).toBe(200);
  expect(page.body).toContain('登录并授权');
  const form = new URLSearchParams({
    appid: loginUrl.searchParams.get('appid') ?? '',
    redirect_uri: loginUrl.searchParams.get('redirect_uri') ?? '',
    state: loginUrl.searchParams.get('state') ?? '',
    login: '',
  });
  const login = await visit(`${gat.simUrl}/sso/login`, { method: 'POST', body: form });
  expect(login.status).toBe(302);
  const callback = new URL(login.location ?? '');
  expect(`${callback.origin}${callback.pathname}`).toBe(`${gat.appUrl}${GUANAITONG_PATHS.authCallback}`);
  expect(callback.searchParams.get('auth_code')).toMatch(/^[0-9A-F]{40}$/);
  tamper?.(callback);
  const back = await visit(callback.toString());
  expect(back.status).toBe(302);
  return back.location ?? '';
}

/** Guanaitong's cashier page → 确认支付; answers the return_url the simulator redirects to. */
async function confirmAtCashier(gat: Gat, cashierUrl: string, action: 'confirm' | 'cancel' = 'confirm'): Promise<string> {
  const url = new URL(cashierUrl);
  expect(`${url.origin}${url.pathname}`).toBe(`${gat.simUrl}/cashier`);
  const page = await visit(cashierUrl);
  expect(page.status).toBe(200);
  expect(page.body).toContain('确认支付');
  const form = new URLSearchParams({ trade_no: url.searchParams.get('trade_no') ?? '', t: url.searchParams.get('t') ?? '' });
  const done = await visit(`${gat.simUrl}/cashier/${action}`, { method: 'POST', body: form });
  expect(done.status).toBe(302);
  return done.location ?? '';
}

/** Back at our return_url: answers the H5 page it redirects to. */
async function comeBack(gat: Gat, returnUrl: string): Promise<string> {
  expect(returnUrl.startsWith(`${gat.appUrl}${GUANAITONG_PATHS.return}?`)).toBe(true);
  const res = await visit(returnUrl);
  expect(res.status).toBe(302);
  return res.location ?? '';
}

/** The whole trip with points, up to the result page; the notify may still be on its way. */
async function payWithPoints(gat: Gat, token: string, orderNo: string): Promise<{ resultUrl: string; tradeNo: string }> {
  const cashierUrl = await loginAndComeBack(gat, token, orderNo, 1);
  const tradeNo = new URL(cashierUrl).searchParams.get('trade_no') ?? '';
  const resultUrl = await comeBack(gat, await confirmAtCashier(gat, cashierUrl));
  return { resultUrl, tradeNo };
}

async function orderRow(ctx: TestContext, orderNo: string) {
  return ctx.deps.db.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirstOrThrow();
}

async function alertKinds(ctx: TestContext): Promise<string[]> {
  return (await ctx.deps.db.selectFrom('alerts').select('kind').orderBy('created_at').execute()).map((a) => a.kind);
}

describeEachDatabase('guanaitong payment', (get) => {
  let gat: Gat | null = null;
  // Registered after the harness's own afterEach, so it runs before it (hooks unwind): the simulator stops sending
  // notifies before the database closes.
  afterEach(async () => {
    await gat?.close();
    gat = null;
  });
  const open = async (ctx: TestContext, options?: Parameters<typeof startGat>[1]) => (gat = await startGat(ctx, options));

  it('pays the demo claim with points end to end: start → login → auth callback → cashier → return → result page; the notify settles it', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const cashierUrl = await loginAndComeBack(g, token, orderNo, 1);

    // checkUserAndToPay from the order: outer_trade_no with the seller prefix, point in yuan, trade_info of the share.
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt).toMatchObject({ method: 'guanaitong', status: 'submitted', amount_fen: SELF_PAY_FEN });
    const trade = g.sim.control.trade(attempt?.provider_ref ?? '');
    expect(trade).toMatchObject({
      payType: 1,
      amountFen: SELF_PAY_FEN,
      attach: orderNo,
      notifyUrl: `${g.appUrl}${GUANAITONG_PATHS.notify}`,
    });
    expect(attempt?.provider_trade_no).toBe(trade?.tradeNo);
    expect(trade?.outerTradeNo.startsWith(TEST_GAT.sellerAppid)).toBe(true);
    expect(trade?.outerTradeNo.length).toBeGreaterThanOrEqual(10);
    expect(trade?.outerTradeNo.length).toBeLessThanOrEqual(30);
    expect(trade?.reason).toContain(orderNo);
    expect(trade?.returnUrl).toBe(`${g.appUrl}${GUANAITONG_PATHS.return}?order_no=${orderNo}`);
    expect(JSON.parse(trade?.tradeInfo ?? '{}')).toMatchObject({
      third_trade_no: orderNo,
      third_pay_amount: 20,
      third_total_amount: 20,
      is_third_orders: 2,
      goods_detail: [{ quantity: 1, good_price: 20, good_pay_amount: 20 }],
    });
    // While the user is at Guanaitong the order is processing.
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({ status: 'open', display: 'processing' });

    const returnUrl = await confirmAtCashier(g, cashierUrl);
    expect(new URL(returnUrl).searchParams.get('pay_result')).toBe('success');
    const resultUrl = await comeBack(g, returnUrl);
    const result = h5Route(resultUrl);
    expect(result.route).toBe('/pages/pay-result/pay-result');
    expect(result.query.get('order_no')).toBe(orderNo);

    await g.sim.control.notifiesIdle();
    expect(g.sim.control.notifyLog.map((n) => [n.outcome, n.status, n.body])).toEqual([['acknowledged', 200, 'success']]);
    expect(await orderRow(ctx, orderNo)).toMatchObject({ status: 'settled', settlement_step: 'notified', paid_attempt_id: attempt?.id });
    expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'succeeded', provider_trade_no: trade?.tradeNo });
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({ status: 'settled', display: 'paid' });

    // Money: world → merchant Y (the points), clearing → merchant X; the employee's points went down by Y.
    const selfPay = await ctx.deps.db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('idempotency_key', '=', `order:${orderNo}:selfpay`)
      .executeTakeFirstOrThrow();
    expect(selfPay).toMatchObject({ from_account: Accounts.world, to_account: Accounts.merchant('demo'), amount_fen: SELF_PAY_FEN });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    expect(g.sim.control.employee().pointsFen).toBe(100_000 - SELF_PAY_FEN);

    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
    expect(ctx.partner.received[1]?.json).toMatchObject({
      order_no: orderNo,
      res_code: 0,
      event: 'paid',
      final: true,
      paid_amount: '100.00',
    });
  });

  it('pays from the quota asset the user picks when the employee has two (pay_type 2 with account_openid)', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const picker = h5Route(await loginAndComeBack(g, token, orderNo, 2));
    expect(picker.route).toBe('/pages/cashier/cashier');
    expect(picker.query.get('order_no')).toBe(orderNo);
    const pick = picker.query.get('gat_pick') ?? '';
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(0); // nothing is created before the choice

    const view = await g.call('GET', `${GUANAITONG_PATHS.pick}?pick=${encodeURIComponent(pick)}`);
    expect(view.status).toBe(200);
    const employee = g.sim.control.employee();
    expect(view.body).toMatchObject({
      order_no: orderNo,
      amount_fen: SELF_PAY_FEN,
      assets: employee.quotas.map((q) => ({ account_openid: q.accountOpenid, name: q.name, balance_fen: q.balanceFen })),
    });
    const chosen = employee.quotas[1]?.accountOpenid ?? '';
    expect((await g.call('POST', GUANAITONG_PATHS.pay, undefined, { pick, account_openid: 'f'.repeat(32) })).body.code).toBe('ZF0010');

    const paid = await g.call('POST', GUANAITONG_PATHS.pay, undefined, { pick, account_openid: chosen });
    expect(paid.status).toBe(200);
    const cashierUrl = String(paid.body.cashier_url);
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(g.sim.control.trade(attempt?.provider_ref ?? '')).toMatchObject({ payType: 2, accountOpenid: chosen, amountFen: SELF_PAY_FEN });
    // The same pick again: its auth code is spent, no second trade.
    expect((await g.call('POST', GUANAITONG_PATHS.pay, undefined, { pick, account_openid: chosen })).body).toMatchObject({
      code: 'ZF0090',
      reason: 'authorization_expired',
    });
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(1);

    expect(h5Route(await comeBack(g, await confirmAtCashier(g, cashierUrl))).route).toBe('/pages/pay-result/pay-result');
    await g.sim.control.notifiesIdle();
    expect((await orderRow(ctx, orderNo)).status).toBe('settled');
    expect(g.sim.control.employee().quotas.map((q) => q.balanceFen)).toEqual([200_000, 30_000 - SELF_PAY_FEN]);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });

  it('pays from the only quota asset without a picker, and refuses quota payment with no quota asset (ZF0150)', async () => {
    const ctx = get();
    const g = await open(ctx, { employee: { pointsFen: 100_000, quotas: [{ name: '医疗福利额度', balanceFen: 50_000 }] } });
    const { token, orderNo } = await ctx.newOrder();
    const cashierUrl = await loginAndComeBack(g, token, orderNo, 2);
    expect(cashierUrl.startsWith(`${g.simUrl}/cashier?`)).toBe(true);
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(g.sim.control.trade(attempt?.provider_ref ?? '')).toMatchObject({
      payType: 2,
      accountOpenid: g.sim.control.employee().quotas[0]?.accountOpenid,
    });

    g.sim.control.setEmployee('demo', { pointsFen: 100_000, quotas: [] });
    const refused = h5Route(await loginAndComeBack(g, token, orderNo, 2));
    expect(refused.route).toBe('/pages/cashier/cashier');
    expect(Object.fromEntries(refused.query)).toEqual({ order_no: orderNo, error: 'ZF0150' });
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(1);
  });

  it('settles once when the notify is replayed 3 times, one after another and all at once', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const { tradeNo } = await payWithPoints(g, token, orderNo);
    await g.sim.control.notifiesIdle();
    expect((await orderRow(ctx, orderNo)).status).toBe('settled');
    await deliverDueCallbacks(ctx.deps);
    const settled = await snapshot(ctx);

    for (let i = 0; i < 3; i++) expect((await g.sim.control.replayNotify(tradeNo))?.outcome).toBe('acknowledged');
    const racing = await Promise.all([1, 2, 3].map(() => g.sim.control.replayNotify(tradeNo)));
    expect(racing.map((r) => r?.body)).toEqual(['success', 'success', 'success']);

    expect(g.sim.control.notifyLog).toHaveLength(7);
    expect(await snapshot(ctx)).toBe(settled);
    expect(await alertKinds(ctx)).toEqual([]);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });

  it('refuses a tampered, stale, future, foreign, wrong-amount, unknown or incomplete notify with fail, changing nothing', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    g.sim.control.dropNotifies = true; // the genuine notify is lost in transit; only ours reach the BFF
    const { tradeNo } = await payWithPoints(g, token, orderNo);
    await vi.waitFor(() => expect(g.sim.control.notifyLog.length).toBeGreaterThan(0));
    const genuine = g.sim.control.notifyLog[0]?.form ?? {};
    const fields = Object.fromEntries(Object.entries(genuine).filter(([k]) => k !== 'sign'));
    const now = Math.floor(ctx.clock.now() / 1000);
    const signed = (overrides: Record<string, string>) => {
      const form: Record<string, string> = { ...fields, timestamp: String(now), ...overrides };
      for (const [k, v] of Object.entries(form)) if (v === '') delete form[k];
      return { ...form, sign: signParams(form, TEST_GAT.appsecret) };
    };
    const post = async (form: Record<string, string>) => {
      const res = await fetch(`${g.appUrl}${GUANAITONG_PATHS.notify}`, { method: 'POST', body: new URLSearchParams(form) });
      return [res.status, await res.text()];
    };
    // The wrong-amount notifies raise alerts on purpose (asserted below); nothing else may change.
    const before = await snapshot(ctx, ['alerts']);

    expect(await post({ ...genuine, total_amount: '2000.00' })).toEqual([400, 'fail']); // tampered after signing
    expect(await post({ ...genuine, sign: signParams(fields, 'not-the-secret') })).toEqual([400, 'fail']);
    expect(await post(signed({ timestamp: String(now - 301) }))).toEqual([400, 'fail']); // stale
    expect(await post(signed({ timestamp: String(now + 301) }))).toEqual([400, 'fail']); // from the future
    expect(await post(signed({ appid: '30000004' }))).toEqual([400, 'fail']); // another app's
    expect(await post(signed({ trade_no: '' }))).toEqual([400, 'fail']); // incomplete
    expect(await post(signed({ outer_trade_no: `${TEST_GAT.sellerAppid}99999999` }))).toEqual([200, 'fail']); // not ours
    expect(await post(signed({ total_amount: '20.01' }))).toEqual([200, 'fail']); // signed, but not the order's amount
    expect(await post(signed({ total_amount: '2.00' }))).toEqual([200, 'fail']);
    expect(await post(signed({ trade_no: `${tradeNo}9` }))).toEqual([200, 'fail']); // another trade for our attempt

    expect(await snapshot(ctx, ['alerts'])).toBe(before);
    expect(await alertKinds(ctx)).toEqual(['PAYMENT_AMOUNT_MISMATCH', 'PAYMENT_AMOUNT_MISMATCH', 'PAYMENT_AMOUNT_MISMATCH']);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);

    // The genuine one, once the line is back, still settles.
    g.sim.control.dropNotifies = false;
    expect((await g.sim.control.replayNotify(tradeNo))?.body).toBe('success');
    expect((await orderRow(ctx, orderNo)).status).toBe('settled');
  });

  it('never settles on pay_result=success in the return URL: the result page waits for the notify', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    g.sim.control.dropNotifies = true;
    const { resultUrl, tradeNo } = await payWithPoints(g, token, orderNo);
    expect(h5Route(resultUrl).query.get('order_no')).toBe(orderNo);
    const before = await snapshot(ctx);

    // A forged return (bad signature) and a genuine-looking signed one: neither changes anything.
    const [attempt] = await attemptsOf(ctx, orderNo);
    const params = {
      appid: TEST_GAT.appid,
      outer_trade_no: attempt?.provider_ref ?? '',
      pay_result: 'success',
      timestamp: String(Math.floor(ctx.clock.now() / 1000)),
    };
    const signedReturn = new URLSearchParams({ order_no: orderNo, ...params, sign: signParams(params, TEST_GAT.appsecret) });
    const forged = new URLSearchParams({ order_no: orderNo, ...params, sign: 'a'.repeat(40) });
    for (const query of [signedReturn, forged]) {
      const res = await visit(`${g.appUrl}${GUANAITONG_PATHS.return}?${query.toString()}`);
      expect(res.status).toBe(302);
      expect(h5Route(res.location ?? '').route).toBe('/pages/pay-result/pay-result');
    }
    expect(await snapshot(ctx)).toBe(before);
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({ status: 'open', display: 'processing' });

    g.sim.control.dropNotifies = false;
    await g.sim.control.replayNotify(tradeNo);
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({ status: 'settled', display: 'paid' });
  });

  it('shares one access token among 20 concurrent payments', async () => {
    const ctx = get();
    const g = await open(ctx);
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await ctx.newOrder({ refer_no: `REF-C-${i}` }));
    const landed = await Promise.all(orders.map((o) => loginAndComeBack(g, o.token, o.orderNo, 1)));
    for (const url of landed) expect(url.startsWith(`${g.simUrl}/cashier?`)).toBe(true);
    expect(g.sim.control.tokenRequests).toBe(1);
    const attempts = await ctx.deps.db
      .selectFrom('payment_attempts')
      .select(['provider_ref', 'provider_trade_no'])
      .where('status', '=', 'submitted')
      .execute();
    expect(new Set(attempts.map((a) => a.provider_ref)).size).toBe(20);
    expect(attempts.every((a) => a.provider_trade_no !== null)).toBe(true);
  });

  it('shows insufficient points at the cashier (ZF0090): attempt failed, no money, no callback, the order still payable', async () => {
    const ctx = get();
    const g = await open(ctx, { employee: { pointsFen: SELF_PAY_FEN - 1, quotas: [] } });
    const { token, orderNo } = await ctx.newOrder();
    const before = await snapshot(ctx);
    const landed = h5Route(await loginAndComeBack(g, token, orderNo, 1));
    expect(landed.route).toBe('/pages/cashier/cashier');
    expect(Object.fromEntries(landed.query)).toEqual({ order_no: orderNo, error: 'ZF0090', reason: 'insufficient_balance' });
    expect(await attemptsOf(ctx, orderNo)).toMatchObject([
      { method: 'guanaitong', status: 'failed', failure_reason: 'insufficient_balance' },
    ]);
    expect(JSON.parse(before).accounts).toEqual(JSON.parse(await snapshot(ctx)).accounts);
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({ status: 'open', display: 'failed' });
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);

    // Another try with enough points goes through.
    g.sim.control.setEmployee('demo', { pointsFen: 100_000, quotas: [] });
    await payWithPoints(g, token, orderNo);
    await g.sim.control.notifiesIdle();
    expect((await orderRow(ctx, orderNo)).status).toBe('settled');
  });

  it('a cancel at Guanaitong’s cashier (signed pay_result=fail) fails the attempt locally, with no callback', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const cashierUrl = await loginAndComeBack(g, token, orderNo, 1);
    const returnUrl = await confirmAtCashier(g, cashierUrl, 'cancel');
    expect(new URL(returnUrl).searchParams.get('pay_result')).toBe('fail');
    expect(h5Route(await comeBack(g, returnUrl)).route).toBe('/pages/pay-result/pay-result');
    expect((await g.call('GET', `/api/orders/${orderNo}`, token)).body.order).toMatchObject({
      status: 'open',
      display: 'failed',
      last_attempt: { failure_reason: 'cancelled' },
    });
    expect(g.sim.control.notifyLog).toHaveLength(0);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);
  });

  it('refuses to start an order that is foreign (ZF0060), paid (ZF0080) or closed (ZF0070), or a bad pay_type (ZF0010)', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const other = await ctx.enter({ refer_no: 'REF-OTHER' });
    const start = (t: string, no: string, body: unknown = { pay_type: 1 }) =>
      g.call('POST', `/api/orders/${no}/pay/guanaitong/start`, t, body);
    expect((await start(other.token, orderNo)).body.code).toBe('ZF0060');
    expect((await start(token, orderNo, { pay_type: 3 })).body.code).toBe('ZF0010');
    expect((await start(token, orderNo, {})).body.code).toBe('ZF0010');
    expect((await g.call('POST', `/api/orders/${orderNo}/pay/guanaitong/start`, undefined, { pay_type: 1 })).body.code).toBe('ZF0020');

    const second = await ctx.newOrder({ refer_no: 'REF-CLOSED' });
    ctx.clock.advance(30 * 60_000 + 1);
    expect((await start(second.token, second.orderNo)).body.code).toBe('ZF0070');

    const third = await ctx.newOrder({ refer_no: 'REF-PAID' });
    expect((await ctx.call('POST', `/api/orders/${third.orderNo}/pay/balance`, third.token, { pin: DEMO.pin })).status).toBe(200);
    expect((await start(third.token, third.orderNo)).body.code).toBe('ZF0080');

    // A card payment of the order still waiting for the bank: no second method may race it (ZF0170).
    const fourth = await ctx.newOrder({ refer_no: 'REF-CARD' });
    await ctx.deps.db
      .insertInto('payment_attempts')
      .values({
        id: 'PA-CARD-INFLIGHT',
        order_no: fourth.orderNo,
        method: 'card',
        amount_fen: 2000,
        status: 'pending_bank',
        card_id: 'CARD-DEMO-001',
        provider_ref: 'PA-CARD-INFLIGHT',
        provider_trade_no: null,
        failure_reason: null,
        internal_reason: null,
        submitted_at: ctx.clock.now(),
        next_poll_at: null,
        created_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
      })
      .execute();
    const busy = await start(fourth.token, fourth.orderNo);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('ZF0170');
    expect(await ctx.deps.db.selectFrom('payment_attempts').select('id').where('method', '=', 'guanaitong').execute()).toHaveLength(0);
  });

  it('sends a tampered state to the orders page (ZF0020), an expired one or a login without a code back to the cashier, and a reloaded callback to the result page', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const tampered = h5Route(
      await loginAndComeBack(g, token, orderNo, 1, (callback) => {
        const state = callback.searchParams.get('state') ?? '';
        callback.searchParams.set('state', `${state.slice(0, 10)}${state[10] === 'A' ? 'B' : 'A'}${state.slice(11)}`);
      }),
    );
    expect(tampered.route).toBe('/pages/orders/orders');
    expect(Object.fromEntries(tampered.query)).toEqual({ error: 'ZF0020' });

    const noCode = h5Route(await loginAndComeBack(g, token, orderNo, 1, (callback) => callback.searchParams.delete('auth_code')));
    expect(Object.fromEntries(noCode.query)).toEqual({ order_no: orderNo, error: 'ZF0090', reason: 'cancelled' });

    // The login took longer than the state's 10 minutes.
    const start = await g.call('POST', `/api/orders/${orderNo}/pay/guanaitong/start`, token, { pay_type: 1 });
    const state = new URL(String(start.body.login_url)).searchParams.get('state') ?? '';
    ctx.clock.advance(10 * 60_000 + 1);
    const late = await visit(
      `${g.appUrl}${GUANAITONG_PATHS.authCallback}?${new URLSearchParams({ auth_code: g.sim.control.issueAuthCode(), state }).toString()}`,
    );
    expect(Object.fromEntries(h5Route(late.location ?? '').query)).toEqual({
      order_no: orderNo,
      error: 'ZF0090',
      reason: 'authorization_expired',
    });
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(0);

    // A webview that reloads the callback URL does not start a second trade.
    let callbackUrl = '';
    const cashierUrl = await loginAndComeBack(g, token, orderNo, 1, (callback) => (callbackUrl = callback.toString()));
    expect(cashierUrl.startsWith(`${g.simUrl}/cashier?`)).toBe(true);
    const reloaded = await visit(callbackUrl);
    expect(h5Route(reloaded.location ?? '')).toMatchObject({ route: '/pages/pay-result/pay-result' });
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(1);
  });

  it('refuses a tampered pick (ZF0020) and one older than the auth code’s minute (ZF0090 authorization_expired)', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    const pick = h5Route(await loginAndComeBack(g, token, orderNo, 2)).query.get('gat_pick') ?? '';
    const accountOpenid = g.sim.control.employee().quotas[0]?.accountOpenid ?? '';
    const forged = `${pick.slice(0, -2)}${pick.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await g.call('GET', `${GUANAITONG_PATHS.pick}?pick=${encodeURIComponent(forged)}`)).body.code).toBe('ZF0020');
    expect((await g.call('POST', GUANAITONG_PATHS.pay, undefined, { pick: forged, account_openid: accountOpenid })).body.code).toBe(
      'ZF0020',
    );
    ctx.clock.advance(56_000);
    expect((await g.call('POST', GUANAITONG_PATHS.pay, undefined, { pick, account_openid: accountOpenid })).body).toMatchObject({
      code: 'ZF0090',
      reason: 'authorization_expired',
    });
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(0);
  });

  it('fails an attempt with no notify an hour after the deadline; a notify after that still pays (paid_late, LATE_PAYMENT)', async () => {
    const ctx = get();
    const g = await open(ctx);
    const { token, orderNo } = await ctx.newOrder();
    g.sim.control.dropNotifies = true;
    const { tradeNo } = await payWithPoints(g, token, orderNo);
    ctx.clock.advance(30 * 60_000);
    expect(await closeExpiredOrders(ctx.deps)).toBe(1);
    expect(await failStaleGuanaitongAttempts(ctx.deps)).toBe(0); // not yet: an hour's grace after the deadline
    ctx.clock.advance(3_600_000 + 1);
    expect(await failStaleGuanaitongAttempts(ctx.deps)).toBe(1);
    expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'failed', failure_reason: 'provider_error' });

    g.sim.control.dropNotifies = false;
    expect((await g.sim.control.replayNotify(tradeNo))?.body).toBe('success');
    expect(await orderRow(ctx, orderNo)).toMatchObject({ status: 'paid_late' });
    expect(await alertKinds(ctx)).toEqual(['LATE_PAYMENT']);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'closed']);
  });
});
