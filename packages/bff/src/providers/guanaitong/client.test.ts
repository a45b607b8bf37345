// The client against the simulator over real HTTP: token sharing and renewal, the whole browser flow, the notify.
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../lib/clock.ts';
import {
  buildTradeInfo,
  GuanaitongClient,
  GuanaitongError,
  guanaitongNotifyHandler,
  outerTradeNo,
  type CheckUserAndToPayRequest,
  type GuanaitongNotify,
} from './client.ts';
import { GAT_CODES, GAT_NOTIFY_RESEND_DELAYS_MS } from './protocol.ts';
import { signParams } from './sign.ts';
import { createGuanaitongSimulator } from '../../../dev/guanaitong/simulator.ts';
import { serveApp, startGuanaitongHarness, TEST_GAT, type GuanaitongHarness, type ServedApp } from '../../../testing/guanaitong.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function harness(input: Parameters<typeof startGuanaitongHarness>[0] = {}): Promise<GuanaitongHarness> {
  const h = await startGuanaitongHarness(input);
  closers.push(() => h.close());
  return h;
}

let attemptSeq = 0;
function payRequest(h: GuanaitongHarness, overrides: Partial<CheckUserAndToPayRequest> = {}): CheckUserAndToPayRequest {
  attemptSeq += 1;
  const orderNo = `ZF2026112210000${String(attemptSeq).padStart(7, '0')}`;
  return {
    authCode: h.sim.control.issueAuthCode(`employee-${attemptSeq}`),
    sellerAppid: TEST_GAT.sellerAppid,
    outerTradeNo: outerTradeNo(TEST_GAT.sellerAppid, `${orderNo.slice(2)}1`),
    payType: 1,
    pointFen: 1020,
    reason: '医疗费用自付',
    returnUrl: 'http://127.0.0.1:9/return',
    notifyUrl: 'http://127.0.0.1:9/notify',
    tradeInfo: buildTradeInfo({ orderNo, selfPayFen: 1020 }),
    ...overrides,
  };
}

/** A stand-in for the payment module's notify endpoint: amount check, idempotent settlement, exact answers. */
interface Receiver extends ServedApp {
  orders: Map<string, number>;
  received: URLSearchParams[];
  receivedAt: number[];
  settled: Map<string, GuanaitongNotify>;
  settleCalls: number;
  /** Scripted answers for successive notifies; `success` once exhausted (unless `always` is set). */
  script: string[];
  always: string | null;
}

async function startReceiver(client: GuanaitongClient): Promise<Receiver> {
  const state = {
    orders: new Map<string, number>(),
    received: [] as URLSearchParams[],
    receivedAt: [] as number[],
    settled: new Map<string, GuanaitongNotify>(),
    settleCalls: 0,
    script: [] as string[],
    always: null as string | null,
  };
  const handler = guanaitongNotifyHandler({
    verify: (form) => client.verifyNotify(form),
    onNotify: async (notify) => {
      if (state.orders.get(notify.outerTradeNo) !== notify.totalFen) return 'fail';
      if (!state.settled.has(notify.tradeNo)) {
        state.settled.set(notify.tradeNo, notify);
        state.settleCalls += 1;
      }
      return 'success';
    },
  });
  const app = new Hono()
    .post('/notify', async (c) => {
      state.received.push(new URLSearchParams(await c.req.raw.clone().text()));
      state.receivedAt.push(performance.now());
      const scripted = state.script.shift() ?? state.always;
      return scripted === null ? handler(c) : c.text(scripted);
    })
    .post('/notify-only', handler)
    .get('/return', (c) => c.text('result page'))
    .get('/auth-callback', (c) => c.text('callback'));
  const served = await serveApp(app);
  closers.push(() => served.close());
  return Object.assign(state, served);
}

describe('guanaitong client: access token', () => {
  it('shares one token request among 20 concurrent payments', async () => {
    const h = await harness({ clock: new ManualClock() });
    const results = await Promise.all(Array.from({ length: 20 }, () => h.client.checkUserAndToPay(payRequest(h))));
    expect(h.sim.control.tokenRequests).toBe(1);
    expect(new Set(results.map((r) => r.tradeNo)).size).toBe(20);
  });

  it('renews the token at 80 % of its hour', async () => {
    const clock = new ManualClock();
    const h = await harness({ clock });
    const first = await h.client.getAccessToken();
    clock.advance(2_879_999);
    expect(await h.client.getAccessToken()).toBe(first);
    expect(h.sim.control.tokenRequests).toBe(1);
    clock.advance(1);
    const second = await h.client.getAccessToken();
    expect(second).not.toBe(first);
    expect(h.sim.control.tokenRequests).toBe(2);
    await h.client.checkUserAndToPay(payRequest(h));
    expect(h.sim.control.tokenRequests).toBe(2);
  });

  it('keeps using a still-valid token when the early renewal is refused, and fails once it has expired', async () => {
    const clock = new ManualClock();
    // Half-hour tokens, one token an hour: the renewal at 24 min is refused, the token dies at 30 min.
    const h = await harness({ clock, simulator: { tokenCallsPerHour: 1, tokenLifetimeSec: 1800 } });
    const first = await h.client.getAccessToken();
    clock.advance(1_500_000);
    expect(await h.client.getAccessToken()).toBe(first);
    expect(h.sim.control.tokenRequests).toBe(2);
    clock.advance(300_000);
    const err = await h.client.getAccessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuanaitongError);
    expect((err as GuanaitongError).code).toBe(GAT_CODES.FREQUENCY);
  });

  it('renews once and retries when the service says 1000210004, shared by concurrent callers', async () => {
    const h = await harness({ clock: new ManualClock() });
    await h.client.checkUserAndToPay(payRequest(h));
    h.sim.control.expireTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => h.client.checkUserAndToPay(payRequest(h))));
    expect(results).toHaveLength(20);
    expect(h.sim.control.tokenRequests).toBe(2);
  });

  it('retries only once: a second 1000210004 reaches the caller', async () => {
    const clock = new ManualClock();
    const sim = createGuanaitongSimulator({ ...TEST_GAT, clock });
    const server = await sim.start();
    closers.push(() => server.close());
    const client = new GuanaitongClient({
      baseUrl: server.url,
      appid: TEST_GAT.appid,
      appsecret: TEST_GAT.appsecret,
      clock,
      // Every token dies as soon as it is issued.
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (String(input).includes('/token/create')) sim.control.expireTokens();
        return res;
      },
    });
    const err = await client.call('/employee/assets', { auth_code: sim.control.issueAuthCode() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuanaitongError);
    expect((err as GuanaitongError).code).toBe(GAT_CODES.TOKEN);
    expect(sim.control.tokenRequests).toBe(2);
  });

  it('sends point in yuan from fen exactly and signs a body the service accepts', async () => {
    const h = await harness();
    for (const fen of [1, 10, 1020, 99_999, 100_000]) {
      const req = payRequest(h, { pointFen: fen });
      const { tradeNo } = await h.client.checkUserAndToPay(req);
      expect(h.sim.control.trade(tradeNo ?? '')?.amountFen).toBe(fen);
    }
  });
});

/** Hidden and text inputs of the first form in a page, HTML entities decoded. */
function formFields(html: string): Record<string, string> {
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const fields: Record<string, string> = {};
  const form = html.slice(html.indexOf('<form'), html.indexOf('</form>'));
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1] ?? ''] = decode(m[2] ?? '');
  return fields;
}

describe('guanaitong: the browser flow', () => {
  it('login page → auth code → assets → checkUserAndToPay → cashier → signed return → signed notify', async () => {
    const h = await harness();
    const recv = await startReceiver(h.client);
    const { control } = h.sim;

    // 1. Our H5 sends the browser to the login page; 登录并授权 redirects back with a fresh auth code.
    const page = await fetch(h.client.loginUrl({ redirectUri: `${recv.url}/auth-callback?order_no=ZF1`, state: 'st-1' }));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('登录并授权');
    const login = await fetch(`${h.server.url}/sso/login`, {
      method: 'POST',
      body: new URLSearchParams({ ...formFields(html), login: '' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    const back = new URL(login.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(`${recv.url}/auth-callback`);
    expect(back.searchParams.get('order_no')).toBe('ZF1');
    expect(back.searchParams.get('state')).toBe('st-1');
    const authCode = back.searchParams.get('auth_code') ?? '';
    expect(authCode).toMatch(/^[0-9A-F]{40}$/);

    // 2. The asset picker: 1 000.00 points and two quota assets (SPEC §10).
    const { assets, buyerOpenId } = await h.client.getEmployeeAssets(authCode);
    expect(assets.filter((a) => a.type === 'points').map((a) => a.balanceFen)).toEqual([100_000]);
    const quotas = assets.filter((a) => a.type === 'quota');
    expect(quotas).toHaveLength(2);
    const quota = quotas[0];
    if (!quota) throw new Error('no quota asset');

    // 3. checkUserAndToPay for the self-pay share, paid from the first quota asset.
    const req = payRequest(h, {
      authCode,
      payType: 2,
      accountOpenid: quota.accountOpenid,
      pointFen: 12_345,
      returnUrl: `${recv.url}/return?order_no=ZF1`,
      notifyUrl: `${recv.url}/notify`,
      attach: 'order=ZF1',
      tradeInfo: buildTradeInfo({ orderNo: 'ZF1', selfPayFen: 12_345 }),
    });
    recv.orders.set(req.outerTradeNo, 12_345);
    const { cashierUrl, tradeNo } = await h.client.checkUserAndToPay(req);

    // 4. The cashier shows the amount and the balance; 确认支付 redirects to return_url with signed parameters.
    const cashier = await fetch(cashierUrl);
    const cashierHtml = await cashier.text();
    expect(cashierHtml).toContain('¥123.45');
    expect(cashierHtml).toContain('2000.00');
    const confirm = await fetch(`${h.server.url}/cashier/confirm`, {
      method: 'POST',
      body: new URLSearchParams(formFields(cashierHtml)),
      redirect: 'manual',
    });
    expect(confirm.status).toBe(302);
    const ret = new URL(confirm.headers.get('location') ?? '');
    expect(ret.pathname).toBe('/return');
    expect(ret.searchParams.get('order_no')).toBe('ZF1');
    expect(h.client.verifyReturnParams(ret.searchParams)).toMatchObject({
      appid: TEST_GAT.appid,
      outerTradeNo: req.outerTradeNo,
      attach: 'order=ZF1',
      payResult: 'success',
    });
    const forged = new URLSearchParams(ret.searchParams);
    forged.set('pay_result', 'fail');
    expect(() => h.client.verifyReturnParams(forged)).toThrow(/bad_signature/);

    // 5. The notify arrives signed, is verified, and settles once.
    await control.notifiesIdle();
    expect(recv.received).toHaveLength(1);
    const notify = recv.settled.get(tradeNo ?? '');
    expect(notify).toMatchObject({
      outerTradeNo: req.outerTradeNo,
      totalAmount: '123.45',
      totalFen: 12_345,
      buyerOpenId,
      attach: 'order=ZF1',
    });
    expect(control.notifyLog.map((a) => a.outcome)).toEqual(['acknowledged']);
    expect(control.employee().quotas[0]?.balanceFen).toBe(200_000 - 12_345);
    expect(control.employee().pointsFen).toBe(100_000);

    // 6. The auth code was single use; confirming again does not debit twice.
    await expect(h.client.getEmployeeAssets(authCode)).rejects.toMatchObject({ code: GAT_CODES.AUTH_CODE_INVALID });
    expect(control.confirm(tradeNo ?? '')).toMatchObject({ ok: true });
    expect(control.employee().quotas[0]?.balanceFen).toBe(200_000 - 12_345);
  });

  it('cancel at the cashier returns pay_result=fail and sends no notify', async () => {
    const h = await harness();
    const recv = await startReceiver(h.client);
    const { cashierUrl } = await h.client.checkUserAndToPay(
      payRequest(h, { returnUrl: `${recv.url}/return`, notifyUrl: `${recv.url}/notify` }),
    );
    const fields = formFields(await (await fetch(cashierUrl)).text());
    const cancel = await fetch(`${h.server.url}/cashier/cancel`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    const ret = new URL(cancel.headers.get('location') ?? '');
    expect(h.client.verifyReturnParams(ret.searchParams).payResult).toBe('fail');
    const again = await fetch(`${h.server.url}/cashier/confirm`, { method: 'POST', body: new URLSearchParams(fields) });
    expect(await again.text()).toContain('交易已关闭');
    await h.sim.control.notifiesIdle();
    expect(recv.received).toHaveLength(0);
  });

  it('shows insufficient balance at the cashier when the balance fell after the trade was created', async () => {
    const h = await harness();
    const req = payRequest(h, { pointFen: 60_000 });
    const login = `employee-${attemptSeq}`;
    const first = await h.client.checkUserAndToPay(req);
    const second = await h.client.checkUserAndToPay({ ...payRequest(h), authCode: h.sim.control.issueAuthCode(login), pointFen: 60_000 });
    expect(h.sim.control.confirm(first.tradeNo ?? '')).toMatchObject({ ok: true });
    expect(h.sim.control.confirm(second.tradeNo ?? '')).toEqual({ ok: false, reason: 'insufficient_balance' });
    expect(h.sim.control.employee(login).pointsFen).toBe(40_000);
  });
});

/** A paid trade whose notify goes to `notifyPath` of the receiver. */
async function paidTrade(h: GuanaitongHarness, recv: Receiver, fen = 1020, notifyPath = '/notify') {
  const req = payRequest(h, {
    pointFen: fen,
    notifyUrl: `${recv.url}${notifyPath}`,
    tradeInfo: buildTradeInfo({ orderNo: 'ZF9', selfPayFen: fen }),
  });
  recv.orders.set(req.outerTradeNo, fen);
  const { tradeNo } = await h.client.checkUserAndToPay(req);
  expect(h.sim.control.confirm(tradeNo ?? '')).toMatchObject({ ok: true });
  return { req, tradeNo: tradeNo ?? '' };
}

describe('guanaitong: the notify', () => {
  it('is resent on the (compressed) schedule until the answer is exactly success', async () => {
    const scale = 1e-4;
    const h = await harness({ simulator: { timeScale: scale } });
    const recv = await startReceiver(h.client);
    recv.script = ['fail', '', 'SUCCESS', 'success '];
    await paidTrade(h, recv);
    await h.sim.control.notifiesIdle();
    expect(h.sim.control.notifyLog.map((a) => a.outcome)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'acknowledged']);
    const gaps = recv.receivedAt.slice(1).map((t, i) => t - (recv.receivedAt[i] ?? 0));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((GAT_NOTIFY_RESEND_DELAYS_MS[i] ?? 0) * scale - 1));
    // Every attempt is re-signed with a fresh timestamp and verifies on its own.
    for (const form of recv.received) expect(() => h.client.verifyNotify(form)).not.toThrow();
    expect(recv.settleCalls).toBe(1);
  });

  it('gives up after the 15 h resend (9 attempts in all) when never acknowledged', async () => {
    const h = await harness({ simulator: { timeScale: 4e-6 } }); // 24 h in about 0.35 s
    const recv = await startReceiver(h.client);
    recv.always = 'fail';
    await paidTrade(h, recv);
    await h.sim.control.notifiesIdle();
    expect(h.sim.control.notifyLog).toHaveLength(9);
    expect(recv.received).toHaveLength(9);
  });

  it('keeps resending when notifies are lost, and delivers once the line is back', async () => {
    const h = await harness({ simulator: { timeScale: 1e-4 } });
    const recv = await startReceiver(h.client);
    h.sim.control.dropNotifies = true;
    await paidTrade(h, recv);
    await new Promise((resolve) => setTimeout(resolve, 30));
    h.sim.control.dropNotifies = false;
    await h.sim.control.notifiesIdle();
    const outcomes = h.sim.control.notifyLog.map((a) => a.outcome);
    expect(outcomes[0]).toBe('dropped');
    expect(outcomes.at(-1)).toBe('acknowledged');
    expect(recv.settleCalls).toBe(1);
  });

  it('delivered 3 times, settles once', async () => {
    const h = await harness();
    const recv = await startReceiver(h.client);
    const { tradeNo } = await paidTrade(h, recv);
    await h.sim.control.notifiesIdle();
    expect((await h.sim.control.replayNotify(tradeNo))?.outcome).toBe('acknowledged');
    expect((await h.sim.control.replayNotify(tradeNo))?.outcome).toBe('acknowledged');
    expect(recv.received).toHaveLength(3);
    expect(recv.settleCalls).toBe(1);
  });

  it('refuses a tampered, stale or wrong-amount notify with fail and changes nothing', async () => {
    const h = await harness();
    const recv = await startReceiver(h.client);
    h.sim.control.dropNotifies = true; // only our crafted notifies reach the handler; the genuine one is in the log
    const { req, tradeNo } = await paidTrade(h, recv, 2000, '/notify');
    await vi.waitFor(() => expect(h.sim.control.notifyLog.length).toBeGreaterThan(0));
    const logged = h.sim.control.notifyLog[0];
    if (!logged) throw new Error('no notify was sent');
    const genuine = new URLSearchParams(logged.form);
    const post = async (form: URLSearchParams) => {
      const res = await fetch(`${recv.url}/notify-only`, { method: 'POST', body: form });
      return { status: res.status, body: await res.text() };
    };
    const resign = (fields: Record<string, string>) => {
      const form = new URLSearchParams(fields);
      form.set('sign', signParams(fields, TEST_GAT.appsecret));
      return form;
    };
    const fields = Object.fromEntries([...genuine].filter(([k]) => k !== 'sign'));

    const tampered = new URLSearchParams(genuine);
    tampered.set('total_amount', '2000.00');
    expect(await post(tampered)).toEqual({ status: 400, body: 'fail' });
    const stale = resign({ ...fields, timestamp: String(Math.floor(Date.now() / 1000) - 301) });
    expect(await post(stale)).toEqual({ status: 400, body: 'fail' });
    const wrongAmount = resign({ ...fields, total_amount: '20.01', timestamp: String(Math.floor(Date.now() / 1000)) });
    expect(await post(wrongAmount)).toEqual({ status: 200, body: 'fail' });
    const missing = resign({ ...fields, trade_no: '' });
    expect(await post(missing)).toEqual({ status: 400, body: 'fail' });
    expect(recv.settleCalls).toBe(0);
    expect(recv.settled.size).toBe(0);

    const genuineFresh = resign({ ...fields, timestamp: String(Math.floor(Date.now() / 1000)) });
    expect(await post(genuineFresh)).toEqual({ status: 200, body: 'success' });
    expect(recv.settled.get(tradeNo)?.outerTradeNo).toBe(req.outerTradeNo);
  });
});
