// The Payzero simulator on its own: login and JWT, bearer checks, envelope, validation, codes, batches, controls.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/lib/clock.ts';
import { createPayzeroSimulator, type PayzeroSimulator, type PayzeroSimulatorOptions } from './simulator.ts';
import { TEST_CREDENTIALS } from '../../testing/payzero.ts';

interface Env {
  success: boolean;
  errorMsg: string | null;
  errorCode: string | null;
  data: unknown;
}

const sims: PayzeroSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

function setup(options: PayzeroSimulatorOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 2, 0, 0)); // 10:00:00 in China
  const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS, clock, timeScale: 0.005, ...options });
  sims.push(sim);
  const login = async (): Promise<string> => {
    const res = await sim.app.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: TEST_CREDENTIALS.username, password: TEST_CREDENTIALS.password }),
    });
    const env = (await res.json()) as Env;
    return (env.data as { token: string }).token;
  };
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await sim.app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, env: (await res.json()) as Env };
  };
  return { sim, clock, login, call };
}

let seq = 0;
const wireOrder = (over: Record<string, unknown> = {}) => ({
  currency: 'CNY',
  mchtOrderNo: `SIM${String(++seq).padStart(6, '0')}`,
  paymentAmount: 1_000,
  subject: '自付部分',
  payerCardNo: '6222020000000000',
  ...over,
});

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 });

describe('login and bearer checks', () => {
  it('issues an HS256 JWT with sub, roles, iat and exp = iat + 4 h', async () => {
    const { login, clock, sim } = setup();
    const token = await login();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256' });
    const hmac = createHmac('sha256', TEST_CREDENTIALS.jwtSecret).update(`${header}.${payload}`);
    expect(signature).toBe(hmac.digest('base64url'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const iat = Math.floor(clock.now() / 1000);
    expect(claims).toEqual({ sub: TEST_CREDENTIALS.username, roles: ['ROLE_USER'], iat, exp: iat + 14_400 });
    expect(sim.loginCount).toBe(1);
  });

  it('refuses wrong credentials with 401', async () => {
    const { call, sim } = setup();
    const r = await call('POST', '/auth/login', null, { username: TEST_CREDENTIALS.username, password: 'nope' });
    expect(r.status).toBe(401);
    expect(r.env.success).toBe(false);
    expect(sim.loginCount).toBe(0);
  });

  it('403 without a bearer header, 401 for a garbage, foreign-key or expired token', async () => {
    const { login, call, clock } = setup();
    const token = await login();
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', null)).status).toBe(403);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', 'garbage')).status).toBe(401);
    const [h, p] = token.split('.');
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', `${h}.${p}.AAAA`)).status).toBe(401);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', token)).status).toBe(200);
    clock.advance(14_400_000);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', token)).status).toBe(401);
  });

  it('keeps older tokens valid after a new login, and revokes all on secret rotation', async () => {
    const { login, call, clock, sim } = setup();
    const first = await login();
    clock.advance(60_000);
    const second = await login();
    expect(second).not.toBe(first);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', first)).status).toBe(200);
    sim.rotateJwtSecret();
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', second)).status).toBe(401);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', await login())).status).toBe(200);
  });

  it('answers 405 to the wrong method', async () => {
    const { login, call } = setup();
    const token = await login();
    expect((await call('GET', '/order/createAndPay', token)).status).toBe(405);
  });
});

describe('orders', () => {
  it('validates: CNY only, positive integer fen, mchtOrderNo ≤ 30 of [A-Za-z0-9_-], subject required', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    const bad = [
      wireOrder({ currency: 'USD' }),
      wireOrder({ paymentAmount: 0 }),
      wireOrder({ paymentAmount: -5 }),
      wireOrder({ paymentAmount: 10.5 }),
      wireOrder({ paymentAmount: '1000' }),
      wireOrder({ mchtOrderNo: 'A'.repeat(31) }),
      wireOrder({ mchtOrderNo: 'A/1' }),
      wireOrder({ subject: undefined }),
      wireOrder({ subject: 'x'.repeat(201) }),
      '{not json',
    ];
    for (const body of bad) {
      const r = await call('POST', '/order/createAndPay', token, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.env).toMatchObject({ success: false, errorCode: '30001', data: null });
    }
    expect(sim.orders.size).toBe(0);
    const ok = await call('POST', '/order/createAndPay', token, wireOrder({ mchtOrderNo: 'A'.repeat(30) }));
    expect(ok.status).toBe(200);
  });

  it('refuses a duplicate mchtOrderNo, also across batch and single orders', async () => {
    const { login, call } = setup();
    const token = await login();
    const o = wireOrder();
    expect((await call('POST', '/order/create', token, o)).env.success).toBe(true);
    const again = await call('POST', '/order/createAndPay', token, o);
    expect(again.status).toBe(400);
    expect(again.env.success).toBe(false);
    const batch = await call('POST', '/orderBatch', token, [wireOrder(), o]);
    expect(batch.status).toBe(400);
  });

  it('moves NOT_PAYED → PAY_APPLIED → PAY_SUCCEED with payment facts, via create + arrangePay', async () => {
    const { login, call } = setup();
    const token = await login();
    const o = wireOrder({ notifyUrl: undefined });
    await call('POST', '/order/create', token, o);
    const status = async () => {
      const r = await call('GET', `/order/queryOrder?mchtOrderNo=${o.mchtOrderNo}`, token);
      return r.env.data as Record<string, unknown>;
    };
    expect((await status()).payStatus).toBe('NOT_PAYED');
    const arranged = await call('GET', `/order/arrangePay?mchtOrderNo=${o.mchtOrderNo}`, token);
    expect(arranged.env).toEqual({ success: true, errorMsg: null, errorCode: null, data: '订单进入支付队列成功' });
    expect((await status()).payStatus).toBe('PAY_APPLIED');
    await waitFor(async () => expect((await status()).payStatus).toBe('PAY_SUCCEED'));
    const done = (await call('GET', `/order/feedback?mchtOrderNo=${o.mchtOrderNo}`, token)).env.data;
    expect(done).toMatchObject({ mchtOrderNo: o.mchtOrderNo, paymentAmount: 1_000, paymentDatetime: '20261122100000' });
    const again = await call('GET', `/order/arrangePay?mchtOrderNo=${o.mchtOrderNo}`, token);
    expect(again.env).toMatchObject({ success: false, errorCode: '50054' });
  });

  it('answers the documented codes: 50010 unknown card, 50001 configured card, 50056 low quota', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    const unknown = await call('POST', '/order/createAndPay', token, wireOrder({ payerCardNo: '6222029999' }));
    expect(unknown.status).toBe(200);
    expect(unknown.env).toMatchObject({
      success: false,
      errorCode: '50010',
      errorMsg: '未找到已签约的银行卡进行支付',
    });
    const noCard = await call('POST', '/order/createAndPay', token, wireOrder({ payerCardNo: undefined }));
    expect(noCard.env.errorCode).toBe('50010');
    sim.setCardBehaviour('3333', { outcome: 'reject', errorCode: '50001' });
    const c3 = await call('POST', '/order/createAndPay', token, wireOrder({ payerCardNo: '6222023333' }));
    expect(c3.env.errorCode).toBe('50001');
    sim.setCardQuota(999);
    const low = await call('POST', '/order/createAndPay', token, wireOrder({ paymentAmount: 1_000 }));
    expect(low.env.errorCode).toBe('50056');
    const fits = await call('POST', '/order/createAndPay', token, wireOrder({ paymentAmount: 999 }));
    expect(fits.env.success).toBe(true);
  });

  it('card 1111 declines: PAY_FAILED with the reason in initResponse, and can be paid again', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    const o = wireOrder({ payerCardNo: '6222021111' });
    await call('POST', '/order/createAndPay', token, o);
    await waitFor(() => expect(sim.orders.get(o.mchtOrderNo)?.payStatus).toBe('PAY_FAILED'));
    const data = (await call('GET', `/order/feedback?mchtOrderNo=${o.mchtOrderNo}`, token)).env.data;
    expect(data).toMatchObject({ payStatus: 'PAY_FAILED', paymentOrderNo: null });
    expect((data as { initResponse: string }).initResponse).toContain('拒绝');
    sim.setCardBehaviour('1111', { outcome: 'succeed', delayMs: 0 });
    expect((await call('GET', `/order/arrangePay?mchtOrderNo=${o.mchtOrderNo}`, token)).env.success).toBe(true);
    await waitFor(() => expect(sim.orders.get(o.mchtOrderNo)?.payStatus).toBe('PAY_SUCCEED'));
  });
});

describe('batches', () => {
  it('create, pay, summary, paginated feedback; paying again only re-pays failures, then 50054', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    const orders = [
      wireOrder({ paymentAmount: 100 }),
      wireOrder({ paymentAmount: 200, payerCardNo: '6222021111' }),
      wireOrder({ paymentAmount: 300 }),
    ];
    const created = await call('POST', '/orderBatch', token, orders);
    expect(created.env.data).toMatchObject({ orderTotalAmount: 600 });
    const id = (created.env.data as { orderBatchId: number }).orderBatchId;
    expect((await call('GET', `/orderBatch/${id}/pay`, token)).env).toMatchObject({ success: true, data: '分配任务完成' });
    await waitFor(async () =>
      expect((await call('GET', `/orderBatch/${id}/summary`, token)).env.data).toEqual({
        total: 3,
        paySuccessCount: 2,
        payFailedCount: 1,
        payOtherCount: 0,
        declareSuccessCount: 0,
        declareFailedCount: 0,
        declareOtherCount: 3,
        totalPaymentAmount: 400,
      }),
    );
    const page2 = (await call('GET', `/orderBatch/${id}/feedback?page=2&pagesize=2`, token)).env.data;
    expect(page2).toMatchObject({ page: 2, pagesize: 2, total: 3 });
    // Newest first: page 2 of size 2 holds the first-created order.
    expect((page2 as { rows: Array<{ mchtOrderNo: string }> }).rows.map((r) => r.mchtOrderNo)).toEqual([orders[0]?.mchtOrderNo]);
    expect((await call('GET', `/orderBatch/${id}/feedback?page=1&pagesize=101`, token)).status).toBe(400);

    sim.setCardBehaviour('1111', { outcome: 'succeed', delayMs: 0 });
    const paidBefore = sim.notifyLog.length;
    expect((await call('GET', `/orderBatch/${id}/pay`, token)).env.success).toBe(true);
    await waitFor(() => expect(sim.orders.get(orders[1]?.mchtOrderNo ?? '')?.payStatus).toBe('PAY_SUCCEED'));
    expect(sim.notifyLog.length - paidBefore).toBe(1); // only the failed order was paid again
    const nothingLeft = await call('GET', `/orderBatch/${id}/pay`, token);
    expect(nothingLeft.env).toMatchObject({ success: false, errorCode: '50054' });
  });
});

describe('controls', () => {
  it('failNext answers the next n requests with the given status, then recovers', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    sim.failNext(2, 502);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', token)).status).toBe(502);
    expect((await call('POST', '/auth/login', null, {})).status).toBe(502);
    expect((await call('GET', '/order/feedback?mchtOrderNo=X', token)).status).toBe(200);
  });

  it('close() clears pending payments and notifies', async () => {
    const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS, timeScale: 0.01, notifyUrl: 'http://127.0.0.1:9/never' });
    const { url } = await sim.start();
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: TEST_CREDENTIALS.username, password: TEST_CREDENTIALS.password }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const o = wireOrder({ payerCardNo: '6222022222' }); // settles after 80 ms
    const res = await fetch(`${url}/order/createAndPay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(o),
    });
    expect(((await res.json()) as Env).success).toBe(true);
    await sim.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.orders.get(o.mchtOrderNo)?.payStatus).toBe('PAY_APPLIED');
    expect(sim.notifyLog).toHaveLength(0);
    await expect(fetch(`${url}/auth/login`, { method: 'POST' })).rejects.toThrow();
  });

  it('logs no_url when neither the order nor the config names a notify URL', async () => {
    const { login, call, sim } = setup();
    const token = await login();
    const o = wireOrder();
    await call('POST', '/order/createAndPay', token, o);
    await waitFor(() => expect(sim.notifyLog.map((l) => l.outcome)).toEqual(['no_url']));
  });
});
