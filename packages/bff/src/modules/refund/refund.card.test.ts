// Refunds of card payments against the Payzero simulator over real HTTP: full and partial (status by polling), the
// bank refusing a refund (the hold goes back), and a LATE_PAYMENT refunded automatically through Payzero.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { startCardPayEnv, TEST_CARDS, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import { refundProviders } from './refund.integration.ts';
import { refundAttempt } from './refund.admin.ts';
import { progressRefunds } from './refund.service.ts';

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 20 });
const MERCHANT = Accounts.merchant(DEMO.partnerId);

async function orderStatus(ctx: TestContext, orderNo: string): Promise<string> {
  return (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status;
}

async function paidByCard(ctx: TestContext, env: CardPayEnv): Promise<string> {
  const { token, orderNo } = await env.newOrder();
  expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(202);
  await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
  return orderNo;
}

/** Runs the refund job (clock moved past the next look-up) until the refund is final. */
async function settleRefund(ctx: TestContext, env: CardPayEnv, refundNo: string): Promise<string> {
  const providers = refundProviders(env.deps);
  await waitFor(async () => {
    ctx.clock.advance(60_000);
    await progressRefunds(env.deps, providers);
    const r = await ctx.deps.db.selectFrom('refunds').select('status').where('refund_no', '=', refundNo).executeTakeFirstOrThrow();
    expect(['succeeded', 'failed']).toContain(r.status);
  });
  return (await ctx.deps.db.selectFrom('refunds').select('status').where('refund_no', '=', refundNo).executeTakeFirstOrThrow()).status;
}

describeEachDatabase('refunds of card payments through Payzero', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });
  const refund = (ctx: TestContext, body: Record<string, unknown>) =>
    partnerCall(env.url, ctx.clock.now(), 'POST', '/api/partner/v1/refunds', body);

  it('refunds in full: submitted to Payzero, REFUND_SUCCEED by polling; the bank pays the self-pay back, quota and clearing restored', async () => {
    const ctx = get();
    const orderNo = await paidByCard(ctx, env);
    const res = await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-1', amount: '100.00', reason: '取消处方' });
    expect(res.status).toBe(201);
    expect(res.body.refund).toMatchObject({
      status: 'submitted',
      method: 'card',
      self_pay_amount: '20.00',
      provider_status: 'REFUND_REQUESTED',
    });
    const refundNo = res.body.refund.refund_no as string;
    const attempt = await ctx.deps.db
      .selectFrom('payment_attempts')
      .select('provider_ref')
      .where('order_no', '=', orderNo)
      .executeTakeFirstOrThrow();
    expect(env.sim.refunds.get(refundNo)).toMatchObject({ mchtOrderNo: attempt.provider_ref, refundAmount: 2_000 });
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(10_000);
    expect(await settleRefund(ctx, env, refundNo)).toBe('succeeded');
    expect(env.sim.refunds.get(refundNo)?.refundStatus).toBe('REFUND_SUCCEED');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(0);
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(DEMO.clearingFen);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen);
    const again = await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-1', amount: '100.00', reason: '取消处方' });
    expect(again).toMatchObject({
      status: 200,
      body: { refund: { refund_no: refundNo, status: 'succeeded', provider_status: 'REFUND_SUCCEED' } },
    });
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-2', amount: '0.01' })).body.code).toBe('ZF0223');
    // The attempt that paid the order is refunded through the order, not as an extra payment.
    await expect(refundAttempt(env.deps, refundProviders(env.deps), attempt.provider_ref!, 'finance-1')).rejects.toMatchObject({
      code: 'ZF0228',
    });
    await deliverDueCallbacks(env.deps);
    expect(ctx.partner.received.at(-1)?.json).toMatchObject({ event: 'refunded', res_code: 'ZF0232', final: true, method: 'card' });
  });

  it('the bank refuses a refund (amount ending in 13 fen): failed, the hold goes back to the merchant, quota untouched, ZF0233', async () => {
    const ctx = get();
    const orderNo = await paidByCard(ctx, env);
    // 50.65 splits into insurer 40.52 + self-pay 10.13: the simulator fails self-pay amounts ending in 13 fen.
    const res = await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-F', amount: '50.65' });
    expect(res.body.refund).toMatchObject({ insurer_amount: '40.52', self_pay_amount: '10.13', status: 'submitted' });
    expect(await settleRefund(ctx, env, res.body.refund.refund_no)).toBe('failed');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000);
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(0);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen - 8_000);
    await deliverDueCallbacks(env.deps);
    expect(ctx.partner.received.at(-1)?.json).toMatchObject({ event: 'refunded', res_code: 'ZF0233', refund: { status: 'failed' } });
    // A failed refund leaves the whole amount refundable: a partial one of 10.00 goes through.
    const retry = await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-F2', amount: '10.00' });
    expect(await settleRefund(ctx, env, retry.body.refund.refund_no)).toBe('succeeded');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(9_000);
  });

  it('a Payzero outage while asking: the refund stays submitted and the job asks again with the same refund number', async () => {
    const ctx = get();
    const orderNo = await paidByCard(ctx, env);
    env.sim.failNext(1, 503);
    const res = await refund(ctx, { order_no: orderNo, partner_refund_no: 'RC-O', amount: '20.00' });
    expect(res.body.refund).toMatchObject({ status: 'submitted', provider_status: 'UNKNOWN' });
    expect(env.sim.refunds.size).toBe(0);
    expect(await settleRefund(ctx, env, res.body.refund.refund_no)).toBe('succeeded');
    expect(env.sim.refunds.size).toBe(1);
  });

  it('LATE_PAYMENT: a bank success after the order closed is refunded automatically through Payzero, the alert marked, the partner told', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.slow);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: DEMO.pin })).status).toBe(202);
    ctx.clock.advance(env.deps.config.orderTtlMs + 1);
    expect(await closeExpiredOrders(env.deps)).toBe(1);
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('paid_late'));
    const alert = await ctx.deps.db.selectFrom('alerts').selectAll().where('kind', '=', 'LATE_PAYMENT').executeTakeFirstOrThrow();
    expect(alert.refund_no).toMatch(/^RF/);
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(2_000);
    expect(await settleRefund(ctx, env, alert.refund_no!)).toBe('succeeded');
    expect(env.sim.refunds.get(alert.refund_no!)).toMatchObject({ refundAmount: 2_000, refundStatus: 'REFUND_SUCCEED' });
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(0);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    await deliverDueCallbacks(env.deps);
    await deliverDueCallbacks(env.deps);
    expect(ctx.partner.events()).toContain('refunded');
    expect(ctx.partner.received.at(-1)?.json).toMatchObject({
      event: 'refunded',
      res_code: 'ZF0232',
      refund: { partner_refund_no: expect.stringMatching(/^auto:/), amount: '20.00' },
    });
    const view = await partnerCall(env.url, ctx.clock.now(), 'GET', `/api/partner/v1/orders/${orderNo}`);
    expect(view.body.order.refunds).toEqual([expect.objectContaining({ kind: 'extra_attempt', status: 'succeeded' })]);
    // The console's "refund this attempt" on the same alert answers the refund already made, and refunds nothing twice.
    const again = await refundAttempt(env.deps, refundProviders(env.deps), view.body.order.attempts[0].id, 'finance-1');
    expect(again).toMatchObject({ refund_no: alert.refund_no, status: 'succeeded' });
    expect(env.sim.refunds.size).toBe(1);
  });
});
