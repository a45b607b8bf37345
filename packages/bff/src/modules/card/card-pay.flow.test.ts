// Paying by bound card through Payzero, on SQLite and MariaDB, over real HTTP: the simulator's signed notifies reach
// the BFF, the 5-second rule sends `timeout` once, polling recovers lost notifies, and refusals change nothing.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { payzeroNotifySign } from '../../providers/payzero/sign.ts';
import { TEST_CREDENTIALS } from '../../../testing/payzero.ts';
import { attemptsOf, describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { pollCardResults, sendCardTimeouts } from './card-result.service.ts';
import { startCardPayEnv, TEST_CARDS, type CardPayEnv } from '../../../testing/card-pay-env.ts';

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 10 });

async function orderStatus(ctx: TestContext, orderNo: string): Promise<string> {
  const row = await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow();
  return row.status;
}

/** The callbacks the partner received, in order, as `event:seq:res_code:final`. */
async function delivered(ctx: TestContext, env: CardPayEnv): Promise<string[]> {
  await deliverDueCallbacks(env.deps);
  return ctx.partner.received.map(
    (r) => `${String(r.json.event)}:${String(r.json.seq)}:${String(r.json.res_code)}:${String(r.json.final)}`,
  );
}

describeEachDatabase('card payment through Payzero', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });

  it('card …0000: accepted (202, processing), paid by the signed notify, settled; callbacks order_created, paid', async () => {
    const ctx = get();
    const { token, orderNo, selfPayFen } = await env.newOrder();
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    expect(res.status).toBe(202);
    expect(res.body.attempt).toMatchObject({ method: 'card', status: 'submitted', amount_fen: selfPayFen });
    expect(res.body.order).toMatchObject({ status: 'open', display: 'processing' });

    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt?.provider_ref).toBe(attempt?.id);
    expect(attempt?.provider_ref?.length).toBeLessThanOrEqual(30);
    const sent = env.sim.orders.get(attempt!.provider_ref!);
    expect(sent).toMatchObject({
      paymentAmount: selfPayFen,
      subject: `商保直付自付-${orderNo}`,
      payerCardNo: 'demo-card-token-0000',
      notifyUrl: `${env.url}/api/providers/payzero/notify`,
    });

    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    const [paid] = await attemptsOf(ctx, orderNo);
    expect(paid).toMatchObject({ status: 'succeeded', provider_trade_no: sent!.paymentOrderNo });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    const view = await env.call('GET', `/api/orders/${orderNo}`, token);
    expect(view.body.order).toMatchObject({ status: 'settled', display: 'paid' });
    expect(env.sim.notifyLog.map((n) => n.outcome)).toEqual(['ok']);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
    // The 5 s rule finds nothing to do for a payment that already has its result.
    ctx.clock.advance(10_000);
    expect(await sendCardTimeouts(env.deps)).toBe(0);
  });

  it('card …2222: the timeout callback (ZF0100) goes out once at 5 s, then paid with a higher seq and final', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.slow);
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' });
    expect(res.status).toBe(202);

    ctx.clock.advance(4_999);
    expect(await sendCardTimeouts(env.deps)).toBe(0);
    ctx.clock.advance(1);
    expect(await sendCardTimeouts(env.deps)).toBe(1);
    expect(await sendCardTimeouts(env.deps)).toBe(0);
    expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('pending_bank');
    expect((await env.call('GET', `/api/orders/${orderNo}`, token)).body.order.display).toBe('processing');
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'timeout:2:ZF0100:false']);

    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    ctx.clock.advance(10_000);
    expect(await sendCardTimeouts(env.deps)).toBe(0);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'timeout:2:ZF0100:false', 'paid:3:0:true']);
    expect(ctx.partner.received.filter((r) => r.json.event === 'timeout')).toHaveLength(1);
  });

  it('card …1111: declined by the bank → attempt failed (declined), failed callback ZF0090; the order stays open and is paid by balance', async () => {
    const ctx = get();
    const { token, orderNo, selfPayFen } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.declined);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' })).status).toBe(202);
    await waitFor(async () => expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('failed'));
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt).toMatchObject({ failure_reason: 'declined' });
    expect(attempt?.internal_reason).toContain('PAY_FAILED');
    expect(attempt?.internal_reason).toContain('银行卡交易被拒绝');
    const view = await env.call('GET', `/api/orders/${orderNo}`, token);
    expect(view.body.order).toMatchObject({ status: 'open', display: 'failed', last_attempt: { failure_reason: 'declined' } });
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'failed:2:ZF0090:false']);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(0);

    const byBalance = await env.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
    expect(byBalance.body.order).toMatchObject({ status: 'settled', display: 'paid' });
    expect(await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.zhangsan.id))).toBe(DEMO.users.zhangsan.balanceFen - selfPayFen);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'failed:2:ZF0090:false', 'paid:3:0:true']);
  });

  it("refuses locally, with no attempt and no callback: a card that is not the user's or unknown (ZF0150), no card id (ZF0010), a foreign order (ZF0060)", async () => {
    const ctx = get();
    const wang = await env.newOrder({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' }, 'POL-PICC-003');
    const zhang = await env.newOrder();
    const before = await snapshot(ctx);
    const foreignCard = await env.call('POST', `/api/orders/${wang.orderNo}/pay/card`, wang.token, {
      card_id: 'CARD-DEMO-001',
      pin: '123456',
    });
    expect(foreignCard).toMatchObject({ status: 422, body: { code: 'ZF0150' } });
    expect(
      (await env.call('POST', `/api/orders/${wang.orderNo}/pay/card`, wang.token, { card_id: 'CARD-NOPE', pin: '123456' })).body.code,
    ).toBe('ZF0150');
    expect((await env.call('POST', `/api/orders/${wang.orderNo}/pay/card`, wang.token, {})).body.code).toBe('ZF0010');
    expect(
      (await env.call('POST', `/api/orders/${zhang.orderNo}/pay/card`, wang.token, { card_id: 'CARD-DEMO-001', pin: '123456' })).body.code,
    ).toBe('ZF0060');
    expect(
      (await env.call('POST', `/api/orders/${zhang.orderNo}/pay/card`, undefined, { card_id: 'CARD-DEMO-001', pin: '123456' })).body.code,
    ).toBe('ZF0020');
    expect(await snapshot(ctx)).toBe(before);
    expect(env.sim.orders.size).toBe(0);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'order_created:1:ZF0230:false']);
  });

  it('a card Payzero refuses at once (50010, no signed card) fails locally: ZF0090 card_unavailable, internal reason kept, no callback, order still payable', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.unsigned);
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({ code: 'ZF0090', reason: 'card_unavailable', request_id: expect.any(String) });
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt).toMatchObject({ method: 'card', status: 'failed', failure_reason: 'card_unavailable', next_poll_at: null });
    expect(attempt?.internal_reason).toContain('50010');
    ctx.clock.advance(10_000);
    expect(await sendCardTimeouts(env.deps)).toBe(0);
    expect(await pollCardResults(env.deps, env.client)).toBe(0);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false']);

    const again = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    expect(again.status).toBe(202);
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
  });

  it('recovers a lost notify by polling /order/feedback with backoff', async () => {
    const ctx = get();
    env.sim.dropNotifies(true);
    const { token, orderNo } = await env.newOrder();
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' })).status).toBe(
      202,
    );
    const [attempt] = await attemptsOf(ctx, orderNo);
    await waitFor(() => expect(env.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
    expect(env.sim.notifyLog.map((n) => n.outcome)).toEqual(['dropped']);

    ctx.clock.advance(1_999);
    expect(await pollCardResults(env.deps, env.client)).toBe(0); // not due before 2 s
    ctx.clock.advance(1);
    expect(await pollCardResults(env.deps, env.client)).toBe(1);
    expect(await orderStatus(ctx, orderNo)).toBe('settled');
    expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'succeeded', next_poll_at: null });
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
  });

  it('keeps polling with backoff while the bank is silent, then applies the result (card …2222, notify lost)', async () => {
    const ctx = get();
    env.sim.dropNotifies(true);
    env.sim.setCardBehaviour('2222', { outcome: 'succeed', delayMs: 20_000 }); // 2 s of real time at the test's scale
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.slow);
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' });
    const schedule: number[] = [];
    for (const step of [2_000, 4_000, 8_000]) {
      ctx.clock.advance(step);
      await sendCardTimeouts(env.deps);
      expect(await pollCardResults(env.deps, env.client)).toBe(0);
      const [a] = await attemptsOf(ctx, orderNo);
      schedule.push(Number(a!.next_poll_at) - ctx.clock.now());
      expect(a!.poll_count).toBe(schedule.length);
    }
    expect(schedule).toEqual([4_000, 8_000, 16_000]);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'timeout:2:ZF0100:false']);
    const [attempt] = await attemptsOf(ctx, orderNo);
    await waitFor(() => expect(env.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
    ctx.clock.advance(16_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(1);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'timeout:2:ZF0100:false', 'paid:3:0:true']);
  });

  it('the same notify delivered twice settles once: the repeat answers OK and changes nothing', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    const original = env.sim.notifyLog[0]?.body;
    expect(original).toBeDefined();
    const before = await snapshot(ctx);
    const ledgerBefore = await ctx.deps.db
      .selectFrom('ledger_transfers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const repeats = await Promise.all([1, 2].map(() => env.call('POST', '/api/providers/payzero/notify', undefined, original)));
    expect(repeats.map((r) => [r.status, r.body])).toEqual([
      [200, 'OK'],
      [200, 'OK'],
    ]);
    expect(await snapshot(ctx)).toBe(before);
    const ledgerAfter = await ctx.deps.db
      .selectFrom('ledger_transfers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(ledgerAfter.n)).toBe(Number(ledgerBefore.n));
    const notes = await ctx.deps.db.selectFrom('provider_notifications').selectAll().execute();
    expect(notes).toHaveLength(1);
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(notes[0]).toMatchObject({
      provider: 'payzero',
      dedupe_key: `payzero:${attempt!.provider_ref}:PAY_SUCCEED`,
      attempt_id: attempt!.id,
    });
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
  });

  it('refuses a notify with a bad signature (400 FAIL) and changes nothing; the genuine result still arrives by polling', async () => {
    const ctx = get();
    env.sim.dropNotifies(true);
    const { token, orderNo, selfPayFen } = await env.newOrder();
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    const [attempt] = await attemptsOf(ctx, orderNo);
    const msgBody = JSON.stringify({
      mchtOrderNo: attempt!.provider_ref,
      paymentAmount: selfPayFen,
      payStatus: 'PAY_SUCCEED',
      paymentOrderNo: 'FORGED-1',
      paymentDatetime: '20261122100000',
    });
    const timestamp = String(ctx.clock.now());
    const before = await snapshot(ctx);
    const forged = await env.call('POST', '/api/providers/payzero/notify', undefined, {
      timestamp,
      msgType: 'PAY_STATUS_NOTIFY',
      msgBody,
      sign: payzeroNotifySign('not-the-sign-token', timestamp, msgBody),
    });
    expect(forged).toEqual({ status: 400, body: 'FAIL' });
    const tampered = {
      timestamp,
      msgType: 'PAY_STATUS_NOTIFY',
      msgBody: msgBody.replace(String(selfPayFen), '1'),
      sign: payzeroNotifySign(TEST_CREDENTIALS.signToken, timestamp, msgBody),
    };
    expect((await env.call('POST', '/api/providers/payzero/notify', undefined, tampered)).status).toBe(400);
    expect((await env.call('POST', '/api/providers/payzero/notify', undefined, '{not json')).status).toBe(400);
    expect(await snapshot(ctx)).toBe(before);

    await waitFor(() => expect(env.sim.orders.get(attempt!.provider_ref!)?.payStatus).toBe('PAY_SUCCEED'));
    ctx.clock.advance(2_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(1);
    const [paid] = await attemptsOf(ctx, orderNo);
    expect(paid?.provider_trade_no).not.toBe('FORGED-1');
  });

  it('does not apply a signed success whose amount differs (PAYMENT_AMOUNT_MISMATCH), keeps polling, and the genuine notify then settles', async () => {
    const ctx = get();
    env.sim.dropNotifies(true);
    env.sim.setCardBehaviour('0000', { outcome: 'succeed', delayMs: 600_000 }); // the bank stays silent here
    const { token, orderNo, selfPayFen } = await env.newOrder();
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    const [attempt] = await attemptsOf(ctx, orderNo);
    const notify = (amount: number, tradeNo: string) => {
      const msgBody = JSON.stringify({
        mchtOrderNo: attempt!.provider_ref,
        paymentAmount: amount,
        payStatus: 'PAY_SUCCEED',
        paymentOrderNo: tradeNo,
      });
      const timestamp = String(ctx.clock.now());
      return env.call('POST', '/api/providers/payzero/notify', undefined, {
        timestamp,
        msgType: 'PAY_STATUS_NOTIFY',
        msgBody,
        sign: payzeroNotifySign(TEST_CREDENTIALS.signToken, timestamp, msgBody),
      });
    };
    expect(await notify(selfPayFen + 1, 'P-WRONG')).toEqual({ status: 200, body: 'OK' });
    expect(await notify(selfPayFen + 1, 'P-WRONG')).toEqual({ status: 200, body: 'OK' }); // a repeat changes nothing
    const waiting = (await attemptsOf(ctx, orderNo))[0]!;
    expect(waiting.status).toBe('submitted');
    expect(waiting.next_poll_at).not.toBeNull(); // hole 5: polling goes on
    expect(await orderStatus(ctx, orderNo)).toBe('open');
    expect((await ctx.deps.db.selectFrom('alerts').select('kind').execute()).map((a) => a.kind)).toEqual(['PAYMENT_AMOUNT_MISMATCH']);
    // The refused notify is kept under its own key, so it does not consume the genuine result's.
    const keys = (await ctx.deps.db.selectFrom('provider_notifications').select('dedupe_key').execute()).map((n) => n.dedupe_key);
    expect(keys).toEqual([`payzero:${attempt!.provider_ref}:PAY_SUCCEED:refused:${selfPayFen + 1}`]);
    ctx.clock.advance(3_000);
    await pollCardResults(env.deps, env.client);
    expect(Number((await attemptsOf(ctx, orderNo))[0]!.poll_count)).toBeGreaterThan(Number(waiting.poll_count));

    expect(await notify(selfPayFen, 'P-GENUINE')).toEqual({ status: 200, body: 'OK' });
    expect(await orderStatus(ctx, orderNo)).toBe('settled');
    expect((await attemptsOf(ctx, orderNo))[0]).toMatchObject({ status: 'succeeded', provider_trade_no: 'P-GENUINE' });
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
  });

  it('allows one card payment in flight per order: a second is refused with ZF0170, concurrent ones leave exactly one', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.slow);
    const results = await Promise.all(
      [1, 2, 3].map(() => env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('ZF0170');
    expect(await attemptsOf(ctx, orderNo)).toHaveLength(1);
    expect(env.sim.orders.size).toBe(1);
    ctx.clock.advance(5_000);
    await sendCardTimeouts(env.deps);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' })).body.code).toBe(
      'ZF0170',
    );
    // Nor may the wallet balance race the bank: both succeeding would be a refund case.
    const balance = await env.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' });
    expect(balance.body.code).toBe('ZF0170');
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' })).body.code).toBe(
      'ZF0080',
    );
    const succeeded = (await attemptsOf(ctx, orderNo)).filter((a) => a.status === 'succeeded');
    expect(succeeded).toHaveLength(1);
  });

  it('an answer lost after Payzero took the order leaves the outcome unknown: 202 processing, then the notify settles it', async () => {
    const ctx = get();
    await env.close();
    // Delivers createAndPay to Payzero, then loses its answer (a dropped connection).
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(input instanceof Request ? input.url : String(input)).pathname === '/order/createAndPay')
        throw new TypeError('fetch failed: socket hang up');
      return res;
    };
    env = await startCardPayEnv(ctx, { fetch: lossy });
    const { token, orderNo } = await env.newOrder();
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    expect(res.status).toBe(202);
    expect(res.body.attempt.status).toBe('submitted');
    expect(env.sim.orders.size).toBe(1);
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'paid:2:0:true']);
  });

  it('a 5xx before Payzero took the order: 202 processing, timeout at 5 s, then failed (provider_error, called back) once Payzero still does not know it after 60 s', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    env.sim.failNext(1, 500);
    const res = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    expect(res.status).toBe(202);
    expect(res.body.attempt.status).toBe('submitted');
    expect(env.sim.orders.size).toBe(0);
    ctx.clock.advance(5_000);
    expect(await sendCardTimeouts(env.deps)).toBe(1);
    ctx.clock.advance(10_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(0); // unknown to Payzero, but within the grace period
    ctx.clock.advance(60_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(1);
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt).toMatchObject({ status: 'failed', failure_reason: 'provider_error' });
    expect(attempt?.internal_reason).toContain('payzero has no order');
    expect(await delivered(ctx, env)).toEqual(['order_created:1:ZF0230:false', 'timeout:2:ZF0100:false', 'failed:3:ZF0090:false']);
    // The order is still open: paying again works.
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' })).status).toBe(
      202,
    );
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect(await delivered(ctx, env)).toEqual([
      'order_created:1:ZF0230:false',
      'timeout:2:ZF0100:false',
      'failed:3:ZF0090:false',
      'paid:4:0:true',
    ]);
  });

  it('raises PAYMENT_RESULT_OVERDUE once when the bank result is still missing after 24 h, and keeps polling', async () => {
    const ctx = get();
    env.sim.setCardBehaviour('0000', { outcome: 'succeed', delayMs: 3_600_000 }); // never within the test
    const { token, orderNo } = await env.newOrder();
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '123456' });
    ctx.clock.advance(24 * 3_600_000 - 1_000);
    await sendCardTimeouts(env.deps);
    expect(await pollCardResults(env.deps, env.client)).toBe(0);
    expect(await ctx.deps.db.selectFrom('alerts').select('kind').execute()).toEqual([]);
    ctx.clock.advance(31_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(0);
    ctx.clock.advance(31_000);
    expect(await pollCardResults(env.deps, env.client)).toBe(0);
    expect((await ctx.deps.db.selectFrom('alerts').select('kind').execute()).map((a) => a.kind)).toEqual(['PAYMENT_RESULT_OVERDUE']);
    const [attempt] = await attemptsOf(ctx, orderNo);
    expect(attempt).toMatchObject({ status: 'pending_bank', poll_count: 3 });
    expect(env.sim.loginCount).toBeGreaterThanOrEqual(2); // the 4 h token was renewed on the way
  });
});
