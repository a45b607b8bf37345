// The Payzero client against the simulator over real HTTP: tokens, card outcomes, notifies, polling, failure mapping.
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PayzeroClient, PayzeroError, mapPayzeroFailure, verifyPayStatusNotify } from './client.ts';
import { createPayzeroNotifyRoute, PayzeroNotifyError, type PayStatusNotify } from './notify.ts';
import { payzeroNotifySign } from './sign.ts';
import { createPayzeroSimulator } from '../../../dev/payzero/simulator.ts';
import { serveApp, startPayzeroHarness, TEST_CREDENTIALS, type PayzeroHarness } from '../../../testing/payzero.ts';

const HOUR = 3_600_000;
let h: PayzeroHarness | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const fn of cleanups.splice(0)) await fn();
});

const waitFor = <T>(fn: () => T, timeout = 3_000) => vi.waitFor(fn, { timeout, interval: 5 });

let seq = 0;
const order = (card: string | undefined, amount = 12_345) => ({
  mchtOrderNo: `PZT${Date.now()}${String(++seq).padStart(4, '0')}`,
  paymentAmountFen: amount,
  subject: '商保直付通 自付部分',
  payerCardNo: card,
});

describe('token', () => {
  it('logs in once and reuses the token across calls', async () => {
    h = await startPayzeroHarness();
    const a = order('6222020000000000');
    await h.client.createOrder(a);
    await h.client.queryFeedback(a.mchtOrderNo);
    await h.client.queryOrder(a.mchtOrderNo);
    expect(h.sim.loginCount).toBe(1);
  });

  it('renews the token once the clock reaches exp − renewBefore, not earlier', async () => {
    h = await startPayzeroHarness({ client: { renewBeforeMs: 10 * 60_000 } });
    const a = order(undefined);
    await h.client.createOrder(a);
    h.clock.advance(4 * HOUR - 10 * 60_000 - 1_000);
    await h.client.queryFeedback(a.mchtOrderNo);
    expect(h.sim.loginCount).toBe(1);
    h.clock.advance(1_000);
    await h.client.queryFeedback(a.mchtOrderNo);
    expect(h.sim.loginCount).toBe(2);
  });

  it('logs in again once and retries when Payzero answers 401', async () => {
    h = await startPayzeroHarness();
    const a = order(undefined);
    await h.client.createOrder(a);
    h.sim.rotateJwtSecret(); // the cached token is now refused
    const result = await h.client.queryFeedback(a.mchtOrderNo);
    expect(result.payStatus).toBe('NOT_PAYED');
    expect(h.sim.loginCount).toBe(2);
  });

  it('gives up with an auth error when the retry after a fresh login is refused too', async () => {
    h = await startPayzeroHarness();
    const calls: string[] = [];
    // Every non-login request gets 401: exactly one re-login and one retry, then an error.
    const fetch401: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      calls.push(url.pathname);
      if (url.pathname === '/auth/login') return fetch(input, init);
      return new Response('{"success":false,"errorMsg":"Unauthorized","errorCode":null,"data":null}', { status: 401 });
    };
    const client = new PayzeroClient({ ...TEST_CREDENTIALS, baseUrl: h.simUrl, clock: h.clock, fetch: fetch401 });
    const err = await client.queryFeedback('NOPE').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayzeroError);
    expect((err as PayzeroError).kind).toBe('auth');
    expect(calls).toEqual(['/auth/login', '/order/feedback', '/auth/login', '/order/feedback']);
  });

  it('shares one login among 20 concurrent first calls', async () => {
    h = await startPayzeroHarness();
    const client = h.client;
    await Promise.all(Array.from({ length: 20 }, () => client.createOrder(order(undefined))));
    expect(h.sim.loginCount).toBe(1);
    expect(h.sim.orders.size).toBe(20);
  });

  it('surfaces wrong credentials as an auth error', async () => {
    h = await startPayzeroHarness({ client: { password: 'wrong' } });
    const err = await h.client.createOrder(order(undefined)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PayzeroError', kind: 'auth', httpStatus: 401 });
  });
});

describe('card payments', () => {
  it('card …0000: accepted, then a signed PAY_SUCCEED notify with the amount and payment facts', async () => {
    h = await startPayzeroHarness();
    const a = order('6222020000000000', 4_023);
    await expect(h.client.createAndPay(a)).resolves.toEqual({ mchtOrderNo: a.mchtOrderNo });
    const harness = h;
    await waitFor(() => expect(harness.received).toHaveLength(1));
    const [n] = h.received as [PayStatusNotify];
    expect(n).toMatchObject({ mchtOrderNo: a.mchtOrderNo, payStatus: 'PAY_SUCCEED', paymentAmount: 4_023 });
    expect(n.paymentOrderNo).toMatch(/^\d{18}$/);
    expect(n.paymentDatetime).toMatch(/^\d{14}$/);
    // The receiver only records verified notifies; check the wire body independently too.
    const sent = h.sim.notifyLog[0]?.body;
    expect(sent?.sign).toBe(payzeroNotifySign(TEST_CREDENTIALS.signToken, sent?.timestamp ?? '', sent?.msgBody ?? ''));
    await waitFor(() => expect(harness.sim.notifyLog.map((l) => l.outcome)).toEqual(['ok']));
  });

  it('card …1111: PAY_FAILED notify, mapped to ZF0090 / declined', async () => {
    h = await startPayzeroHarness();
    const a = order('6222021111');
    await h.client.createAndPay(a);
    const harness = h;
    await waitFor(() => expect(harness.received).toHaveLength(1));
    const n = h.received[0] as PayStatusNotify;
    expect(n.payStatus).toBe('PAY_FAILED');
    const failure = mapPayzeroFailure(n.order);
    expect(failure).toMatchObject({ zfCode: 'ZF0090', reason: 'declined' });
    expect(failure.internal).toContain(a.mchtOrderNo);
    expect(failure.internal).toContain('PAY_FAILED');
  });

  it('card …2222: still PAY_APPLIED at the scaled 5 s, paid after the scaled 8 s', async () => {
    h = await startPayzeroHarness({ sim: { timeScale: 0.01 } }); // 8 s → 80 ms
    const a = order('6222022222');
    const started = performance.now();
    await h.client.createAndPay(a);
    expect((await h.client.queryFeedback(a.mchtOrderNo)).payStatus).toBe('PAY_APPLIED');
    const harness = h;
    await waitFor(() => expect(harness.received).toHaveLength(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(h.received[0]?.payStatus).toBe('PAY_SUCCEED');
  });

  it('unknown card: 50010 business error, logged, mapped to ZF0090 / card_unavailable', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    h = await startPayzeroHarness({ client: { logger } });
    const err = await h.client.createAndPay(order('6222029999')).catch((e: unknown) => e);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ endpoint: '/order/createAndPay', errorCode: '50010', kind: 'business' }),
      'payzero call failed',
    );
    expect(err).toMatchObject({ name: 'PayzeroError', kind: 'business', errorCode: '50010', retryable: false });
    const failure = mapPayzeroFailure(err);
    expect(failure).toMatchObject({ zfCode: 'ZF0090', reason: 'card_unavailable' });
    expect(failure.internal).toContain('50010');
    expect(failure.internal).toContain('/order/createAndPay');
  });

  it('refuses a duplicate mchtOrderNo', async () => {
    h = await startPayzeroHarness();
    const a = order('6222020000');
    await h.client.createAndPay(a);
    const err = await h.client.createAndPay(a).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PayzeroError', kind: 'http', httpStatus: 400, retryable: false });
  });

  it('refuses an invalid order locally, without a request', async () => {
    h = await startPayzeroHarness();
    const bad = [
      { ...order('0000'), mchtOrderNo: 'X'.repeat(31) },
      { ...order('0000'), mchtOrderNo: 'has space' },
      { ...order('0000'), paymentAmountFen: 10.5 },
      { ...order('0000'), paymentAmountFen: 0 },
      { ...order('0000'), subject: '' },
    ];
    for (const o of bad) {
      await expect(h.client.createAndPay(o)).rejects.toMatchObject({ kind: 'invalid_request' });
    }
    expect(h.sim.loginCount).toBe(0);
  });

  it('5xx injection surfaces a retryable error, and the next call works', async () => {
    h = await startPayzeroHarness();
    await h.client.getToken();
    h.sim.failNext(1, 503);
    const a = order('6222020000');
    const err = await h.client.createAndPay(a).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PayzeroError', kind: 'http', httpStatus: 503, retryable: true });
    expect(mapPayzeroFailure(err).reason).toBe('provider_error');
    await expect(h.client.createAndPay(a)).resolves.toEqual({ mchtOrderNo: a.mchtOrderNo });
  });

  it('an unreachable Payzero is a retryable network error', async () => {
    const { url, close } = await serveApp(new Hono());
    await close();
    const client = new PayzeroClient({ ...TEST_CREDENTIALS, baseUrl: url });
    await expect(client.getToken()).rejects.toMatchObject({ kind: 'network', retryable: true });
  });
});

describe('late notify', () => {
  it('a dropped notify is recovered by polling /order/feedback with backoff', async () => {
    h = await startPayzeroHarness();
    h.sim.dropNotifies(true);
    const a = order('6222020000');
    await h.client.createAndPay(a);
    const waits: number[] = [];
    const result = await h.client.pollUntilFinal(a.mchtOrderNo, {
      schedule: [2, 4, 8, 16],
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    expect(result.payStatus).toBe('PAY_SUCCEED');
    expect(result.paymentOrderNo).toMatch(/^\d{18}$/);
    expect(h.received).toHaveLength(0);
    expect(h.sim.notifyLog.map((l) => l.outcome)).toEqual(['dropped']);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits).toEqual([2, 4, 8, 16, 16, 16, 16, 16, 16, 16].slice(0, waits.length));
  });

  it('polling keeps going through 5xx answers', async () => {
    h = await startPayzeroHarness();
    h.sim.dropNotifies(true);
    const a = order('6222020000');
    await h.client.createAndPay(a);
    h.sim.failNext(2, 502);
    const result = await h.client.pollUntilFinal(a.mchtOrderNo, { schedule: [5] });
    expect(result.payStatus).toBe('PAY_SUCCEED');
  });

  it('polling stops when aborted', async () => {
    h = await startPayzeroHarness({ sim: { timeScale: 1 } }); // card 2222 needs a real 8 s: it never finishes here
    const a = order('6222022222');
    await h.client.createAndPay(a);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop polling')), 40);
    await expect(h.client.pollUntilFinal(a.mchtOrderNo, { schedule: [5], signal: controller.signal })).rejects.toThrow('stop polling');
  });

  it('polling gives up with a retryable pending error after maxWaitMs', async () => {
    h = await startPayzeroHarness({ sim: { timeScale: 1 } });
    const a = order('6222022222');
    await h.client.createAndPay(a);
    const err = await h.client.pollUntilFinal(a.mchtOrderNo, { schedule: [5], maxWaitMs: 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'pending', retryable: true });
    expect((err as Error).message).toContain('PAY_APPLIED');
  });

  it('resends an unacknowledged notify on the documented schedule and stops once answered OK', async () => {
    let answers = 0;
    const receiver = await serveApp(new Hono().post('/notify', (c) => c.text(++answers < 4 ? 'RECEIVED' : 'OK')));
    cleanups.push(receiver.close);
    h = await startPayzeroHarness({ sim: { timeScale: 0.001, notifyUrl: `${receiver.url}/notify` } });
    await h.client.createAndPay(order('6222020000'));
    const harness = h;
    await waitFor(() => expect(harness.sim.notifyLog.at(-1)?.outcome).toBe('ok'));
    const log = h.sim.notifyLog;
    expect(log.map((l) => l.outcome)).toEqual(['not_ok', 'not_ok', 'not_ok', 'ok']);
    expect(log.map((l) => l.plannedOffsetMs)).toEqual([0, 60, 300, 600]); // 1 m, 5 m, 10 m × 0.001
    expect(log[2]?.elapsedMs).toBeGreaterThanOrEqual(295);
    await new Promise((r) => setTimeout(r, 150));
    expect(h.sim.notifyLog).toHaveLength(4);
  });

  it('gives up after 5 resends (1 m, 5 m, 10 m, 1 h, 6 h after the first send)', async () => {
    const receiver = await serveApp(new Hono().post('/notify', (c) => c.text('busy', 503)));
    cleanups.push(receiver.close);
    h = await startPayzeroHarness({ sim: { timeScale: 0.00005, notifyUrl: `${receiver.url}/notify` } });
    await h.client.createAndPay(order('6222020000'));
    const harness = h;
    await waitFor(() => {
      expect(harness.sim.notifyLog).toHaveLength(6);
      expect(harness.sim.notifyLog.every((l) => l.outcome === 'not_ok' && l.httpStatus === 503)).toBe(true);
    }, 4_000);
    expect(h.sim.notifyLog.map((l) => l.plannedOffsetMs)).toEqual([0, 3, 15, 30, 180, 1_080]);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.sim.notifyLog).toHaveLength(6);
  });
});

describe('notify verification', () => {
  const token = 'tok';
  const msgBody = JSON.stringify({ mchtOrderNo: 'A1', payStatus: 'PAY_SUCCEED', paymentAmount: 100 });
  const signed = (body: string, timestamp = '1555816968018') => ({
    timestamp,
    msgType: 'PAY_STATUS_NOTIFY',
    msgBody: body,
    sign: payzeroNotifySign(token, timestamp, body),
  });

  it('signs the three strings sorted, not in field order (fixed vector computed with sha1sum)', () => {
    // sorted: "1555816968018" < "tok" < '{"mchtOrderNo":"A1"}'
    expect(payzeroNotifySign('tok', '1555816968018', '{"mchtOrderNo":"A1"}')).toBe('efa1613fce238e45008e664f422648e5d7576231');
  });

  it('accepts a valid notify, with the signature in upper case too', () => {
    const body = signed(msgBody);
    expect(verifyPayStatusNotify(body, token)).toMatchObject({ mchtOrderNo: 'A1', payStatus: 'PAY_SUCCEED' });
    expect(verifyPayStatusNotify({ ...body, sign: body.sign.toUpperCase() }, token).paymentAmount).toBe(100);
  });

  it('refuses a bad signature, a tampered body, a wrong token and malformed input', () => {
    const body = signed(msgBody);
    const cases: Array<[unknown, string]> = [
      [{ ...body, sign: 'a'.repeat(40) }, 'bad_signature'],
      [{ ...body, msgBody: msgBody.replace('PAY_SUCCEED', 'PAY_FAILED') }, 'bad_signature'],
      [{ ...body, timestamp: '1555816968019' }, 'bad_signature'],
      [{ ...body, sign: 'short' }, 'bad_signature'],
      [{ ...body, sign: undefined }, 'malformed'],
      ['not an object', 'malformed'],
      [signed('not json'), 'malformed'],
      [signed(JSON.stringify({ mchtOrderNo: 'A1' })), 'malformed'],
    ];
    for (const [input, rejection] of cases) {
      const err = (() => {
        try {
          verifyPayStatusNotify(input, token);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err, JSON.stringify(input)).toBeInstanceOf(PayzeroNotifyError);
      expect((err as PayzeroNotifyError).rejection).toBe(rejection);
    }
    expect(() => verifyPayStatusNotify(body, 'other-token')).toThrow(PayzeroNotifyError);
  });

  it('route: OK for a valid notify and again for its duplicate, 400 FAIL for a bad one', async () => {
    const seen: string[] = [];
    const app = createPayzeroNotifyRoute({ signToken: token, onPayStatus: async (n) => void seen.push(n.mchtOrderNo) });
    const post = (body: unknown) => app.request('/', { method: 'POST', body: JSON.stringify(body) });
    const body = signed(msgBody);
    for (let i = 0; i < 2; i++) {
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('OK');
    }
    expect(seen).toEqual(['A1', 'A1']); // the handler is told twice; it must be idempotent
    const bad = await post({ ...body, sign: 'f'.repeat(40) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toBe('OK');
    const garbage = await app.request('/', { method: 'POST', body: '{not json' });
    expect(garbage.status).toBe(400);
    expect(seen).toHaveLength(2);
  });

  it('route: acknowledges DECLARE_STATUS_NOTIFY without calling the handler, 500 when the handler throws', async () => {
    let calls = 0;
    const failing = createPayzeroNotifyRoute({
      signToken: token,
      onPayStatus: async () => {
        calls++;
        throw new Error('database down');
      },
    });
    const declare = { ...signed(msgBody), msgType: 'DECLARE_STATUS_NOTIFY' };
    const r1 = await failing.request('/', { method: 'POST', body: JSON.stringify(declare) });
    expect(await r1.text()).toBe('OK');
    expect(calls).toBe(0);
    const r2 = await failing.request('/', { method: 'POST', body: JSON.stringify(signed(msgBody)) });
    expect(r2.status).toBe(500);
    expect(await r2.text()).not.toBe('OK');
    expect(calls).toBe(1);
  });
});

describe('failure mapping', () => {
  const err = (errorCode: string) =>
    new PayzeroError({ kind: 'business', endpoint: '/order/createAndPay', errorCode, httpStatus: 200, message: 'x' });

  it('maps the documented codes and statuses to ZF0090 with a reason', () => {
    expect(mapPayzeroFailure(err('50001')).reason).toBe('card_unavailable');
    expect(mapPayzeroFailure(err('50010')).reason).toBe('card_unavailable');
    expect(mapPayzeroFailure(err('50056')).reason).toBe('declined');
    expect(mapPayzeroFailure(err('50054')).reason).toBe('provider_error');
    expect(mapPayzeroFailure('PAY_FAILED').reason).toBe('declined');
    expect(mapPayzeroFailure('PAY_SUCCEED').reason).toBe('provider_error');
    expect(mapPayzeroFailure(new TypeError('boom'))).toEqual({
      zfCode: 'ZF0090',
      reason: 'provider_error',
      internal: 'payzero unexpected failure: TypeError: boom',
    });
    expect(mapPayzeroFailure(err('50056')).internal).toContain('额度');
  });

  it('50001 from a card configured to refuse with it reaches the caller as card_unavailable', async () => {
    const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS });
    cleanups.push(sim.close);
    sim.setCardBehaviour('3333', { outcome: 'reject', errorCode: '50001' });
    const { url } = await sim.start();
    const client = new PayzeroClient({ ...TEST_CREDENTIALS, baseUrl: url });
    const e = await client.createAndPay(order('6222023333')).catch((x: unknown) => x);
    expect(e).toMatchObject({ errorCode: '50001' });
    expect(mapPayzeroFailure(e).reason).toBe('card_unavailable');
  });
});
