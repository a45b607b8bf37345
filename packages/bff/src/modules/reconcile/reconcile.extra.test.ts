// Extra payments against their automatic refunds: a late card payment refunded through the Payzero simulator, a late
// one the bank refuses to refund (parked: money held, REFUND_FAILED), a Guanaitong success on an order the balance
// already paid (its refund waiting) — all clean; deleting a refund or changing its amount is found. The rule itself
// over hand-made facts: every way a refund record can be missing, wrong or not backed by its legs.
import { formatYuan } from '@zf/shared';
import { describe, expect, it, vi } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { startCardPayEnv, TEST_CARDS, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { handleGuanaitongNotify } from '../guanaitong/guanaitong-result.service.ts';
import { findOrder } from '../order/order.repository.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import type { Order } from '../order/order.table.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import { createAttempt } from '../payment/payment.service.ts';
import { refundProviders } from '../refund/refund.integration.ts';
import { progressRefunds } from '../refund/refund.service.ts';
import { extraPaymentRefunds, type ExtraRefundFacts } from './reconcile.extra.ts';
import { payzeroLookup } from './reconcile.job.ts';
import { reconcile } from './reconcile.service.ts';

const waitFor = <T>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 8_000, interval: 20 });
const status = async (ctx: TestContext, orderNo: string) => (await findOrder(ctx.deps.db, orderNo))?.status;
const refundOf = (ctx: TestContext, orderNo: string) =>
  ctx.deps.db.selectFrom('refunds').selectAll().where('order_no', '=', orderNo).executeTakeFirstOrThrow();

/** A card payment by the slow test card that the bank confirms only after the order closed (LATE_PAYMENT). */
async function latePayment(env: CardPayEnv, amout: string, referNo: string): Promise<string> {
  const { token, orderNo } = await env.newOrder({ refer_no: referNo, amout });
  const cardId = await env.bindCard(token, TEST_CARDS.slow);
  expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: DEMO.pin })).status).toBe(202);
  return orderNo;
}

/** A Guanaitong success, as its verified notify, for an order the balance already paid (DOUBLE_PAYMENT). */
async function doublePayment(ctx: TestContext): Promise<string> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: 'REF-X-DOUBLE' });
  expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
  const order = (await findOrder(ctx.deps.db, orderNo))!;
  const now = ctx.clock.now();
  const attempt = await createAttempt(ctx.deps.db, order, 'guanaitong', now, {
    status: 'submitted',
    submitted_at: now,
    provider_ref: 'GT-X-1',
  });
  const fen = Number(attempt.amount_fen);
  const notify = {
    appid: 'demo',
    outerTradeNo: 'GT-X-1',
    tradeNo: 'T-GT-X-1',
    buyerOpenId: 'open-1',
    attach: null,
    totalAmount: formatYuan(fen),
    totalFen: fen,
    timestamp: Math.floor(now / 1000),
  };
  expect(await handleGuanaitongNotify(ctx.deps, notify)).toBe('success');
  return orderNo;
}

describeEachDatabase('reconciliation of extra payments', (get) => {
  it('is clean when each late / double payment has its refund (paid back, refused and parked, waiting) and finds a deleted or changed one', async () => {
    const ctx = get();
    const env = await startCardPayEnv(ctx);
    try {
      // 100.00 → self-pay 20.00 (refunded by the simulator); 50.65 → self-pay 10.13 (the simulator refuses refunds ending in 13 fen).
      const refunded = await latePayment(env, '100.00', 'REF-X-LATE-1');
      const refused = await latePayment(env, '50.65', 'REF-X-LATE-2');
      ctx.clock.advance(env.deps.config.orderTtlMs + 1);
      expect(await closeExpiredOrders(env.deps)).toBe(2);
      await waitFor(async () => expect([await status(ctx, refunded), await status(ctx, refused)]).toEqual(['paid_late', 'paid_late']));
      const providers = refundProviders(env.deps);
      await waitFor(async () => {
        ctx.clock.advance(60_000);
        await progressRefunds(env.deps, providers);
        expect([(await refundOf(ctx, refunded)).status, (await refundOf(ctx, refused)).status]).toEqual(['succeeded', 'failed']);
      });
      const double = await doublePayment(ctx);
      expect((await refundOf(ctx, double)).status).toBe('requested');
      await deliverDueCallbacks(env.deps);
      await deliverDueCallbacks(env.deps);

      const lookup = payzeroLookup(env.deps);
      const clean = await reconcile(ctx.deps, { since: 0, cardLookup: lookup });
      expect(clean.differences).toEqual([]);
      expect(clean.orders).toBe(3);

      // Planted: the double payment's refund record gone; the refunded late payment's refund recorded as 19.99.
      await ctx.deps.db.deleteFrom('refunds').where('order_no', '=', double).execute();
      await ctx.deps.db.updateTable('refunds').set({ amount_fen: 1_999 }).where('order_no', '=', refunded).execute();
      const found = await reconcile(ctx.deps, { since: 0, cardLookup: lookup });
      expect(found.differences.map((d) => `${d.check} ${d.orderNo}`).sort()).toEqual(
        [`extra_refund ${refunded}`, `extra_refund ${double}`].sort(),
      );
      expect(found.differences.find((d) => d.orderNo === refunded)?.detail).toMatch(/is of 1999.*not 2000/);
      expect(found.differences.find((d) => d.orderNo === double)?.detail).toMatch(/no refund recorded/);
    } finally {
      await env.close();
    }
  }, 60_000);
});

describe('the extra-payment refund rule', () => {
  const order = (status: Order['status']) => ({ order_no: 'ZF1', status, paid_attempt_id: 'A1' }) as Order;
  const attempt = (id: string, fen = 2_000) => ({ id, method: 'card', status: 'succeeded', amount_fen: fen }) as PaymentAttempt;
  const refund = (over: Partial<ExtraRefundFacts> = {}): ExtraRefundFacts => ({
    refund_no: 'RF1',
    attempt_id: 'A2',
    status: 'requested',
    amount_fen: 2_000,
    self_pay_fen: 2_000,
    insurer_fen: 0,
    held: 1,
    ...over,
  });
  const arrived = { key: 'refund:RF1:arrived', amountFen: 2_000 };
  const paidBack = { key: 'refund:RF1:selfpay', amountFen: 2_000 };
  const check = (f: { status?: Order['status']; refunds?: ExtraRefundFacts[]; transfers?: (typeof arrived)[]; alerts?: string[] }) =>
    extraPaymentRefunds({
      order: order(f.status ?? 'settled'),
      attempts: [attempt('A1'), attempt('A2')],
      refunds: f.refunds ?? [refund()],
      transfers: f.transfers ?? [arrived],
      alertKinds: new Set(f.alerts ?? []),
    }).map((d) => d.detail);

  it('accepts each state of a right refund', () => {
    expect(check({})).toEqual([]);
    expect(check({ refunds: [refund({ status: 'succeeded', held: 0 })], transfers: [arrived, paidBack] })).toEqual([]);
    expect(check({ refunds: [refund({ status: 'failed' })], alerts: ['REFUND_FAILED'] })).toEqual([]);
    // A paid_late order: its one succeeded attempt (the order's paid_attempt_id) is the extra one.
    expect(
      extraPaymentRefunds({
        order: order('paid_late'),
        attempts: [attempt('A1')],
        refunds: [refund({ attempt_id: 'A1' })],
        transfers: [arrived],
        alertKinds: new Set(),
      }),
    ).toEqual([]);
  });

  it('reports each missing or wrong piece', () => {
    expect(check({ refunds: [] })).toEqual([expect.stringMatching(/A2 of 2000: no refund recorded/)]);
    expect(check({ refunds: [refund(), refund({ refund_no: 'RF2' })] })).toEqual([expect.stringMatching(/2 refunds recorded/)]);
    expect(check({ refunds: [refund({ amount_fen: 1_500, self_pay_fen: 1_500 })] })).toEqual([expect.stringMatching(/is of 1500/)]);
    expect(check({ transfers: [] })).toEqual([expect.stringMatching(/holds nothing, not 2000/)]);
    expect(check({ transfers: [{ ...arrived, amountFen: 1_000 }] })).toEqual([expect.stringMatching(/holds 1000/)]);
    expect(check({ refunds: [refund({ status: 'succeeded', held: 0 })] })).toEqual([
      expect.stringMatching(/succeeded but paid back nothing/),
    ]);
    expect(check({ transfers: [arrived, paidBack] })).toEqual([expect.stringMatching(/is requested yet paid back 2000/)]);
    expect(check({ refunds: [refund({ held: 0 })] })).toEqual([expect.stringMatching(/no longer held/)]);
    expect(check({ refunds: [refund({ status: 'failed' })] })).toEqual([expect.stringMatching(/without a REFUND_FAILED alert/)]);
    // A refund of the attempt that paid the order is not an extra payment's.
    expect(check({ refunds: [refund(), refund({ refund_no: 'RF9', attempt_id: 'A1' })] })).toEqual([
      expect.stringMatching(/refund RF9 .* for attempt A1, not an extra payment/),
    ]);
  });
});
