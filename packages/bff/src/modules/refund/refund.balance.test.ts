// Refunds of wallet-balance payments through the partner API: full, partial, the same number twice, over the amount
// paid, not refundable; the merchant ledger short → a manual task an admin completes. Money and quota after each.
import { expect, it } from 'vitest';
import { Accounts, balanceOf, balancesOf, transfer } from '../../ledger/ledger.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { refundProviders } from './refund.integration.ts';
import { completeRefundTask } from './refund.service.ts';

const USER = Accounts.userWallet(DEMO.users.zhangsan.id);
const MERCHANT = Accounts.merchant(DEMO.partnerId);

/** The demo order ¥100.00 on POL-PICC-001 paid by balance: insurer 80.00, user 20.00. */
async function paidByBalance(ctx: TestContext, refer = 'REF-001'): Promise<string> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: refer });
  const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
  expect(paid.status).toBe(200);
  const order = await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow();
  expect(order.status).toBe('settled');
  return orderNo;
}

const refund = (ctx: TestContext, body: Record<string, unknown>) =>
  partnerCall(ctx.app, ctx.clock.now(), 'POST', '/api/partner/v1/refunds', body);

/** The api_core_v2 records of an order's refunds (same database in tests, table name from config). */
async function refundQuotaRecords(ctx: TestContext): Promise<Array<{ type: number; amount: number; ref_no: string }>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the quota tables have configurable names
  const db = ctx.deps.db as any;
  const rows = await db
    .selectFrom(ctx.deps.config.quota.recordTable)
    .select(['type', 'amount', 'ref_no'])
    .where('ref_no', 'like', 'refund:%')
    .execute();
  return rows.map((r: { type: number; amount: number; ref_no: string }) => ({
    type: Number(r.type),
    amount: Number(r.amount),
    ref_no: r.ref_no,
  }));
}

describeEachDatabase('refunds of balance payments', (get) => {
  it('refunds in full: wallet, clearing, merchant and insurer quota back as before; a type 1 record keyed by the refund; refunded callback', async () => {
    const ctx = get();
    const walletBefore = await balanceOf(ctx.deps.db, USER);
    const orderNo = await paidByBalance(ctx);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000);
    const res = await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-FULL-1', amount: '100.00', reason: '退药' });
    expect(res.status).toBe(201);
    expect(res.body.refund).toMatchObject({
      order_no: orderNo,
      partner_refund_no: 'R-FULL-1',
      amount: '100.00',
      insurer_amount: '80.00',
      self_pay_amount: '20.00',
      method: 'balance',
      status: 'succeeded',
      waiting_for_admin: false,
    });

    expect(await balanceOf(ctx.deps.db, USER)).toBe(walletBefore);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(DEMO.clearingFen);
    expect(await balanceOf(ctx.deps.db, Accounts.refundPending)).toBe(0);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen);
    expect(await balanceOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).toBe(DEMO.quota.PICC.rechargeFen); // mirrored once (quota:recharge:refund:<no>)
    expect((await balancesOf(ctx.deps.db, Accounts.policyCoverage('POL-PICC-001'))).availableFen).toBe(1_000_000); // coverage back through the ledger
    const keys = (
      await ctx.deps.db
        .selectFrom('ledger_transfers')
        .select(['idempotency_key', 'amount_fen'])
        .where('idempotency_key', 'like', 'refund:%')
        .orderBy('idempotency_key')
        .execute()
    ).map((t) => `${t.idempotency_key.split(':')[2]}:${Number(t.amount_fen)}`);
    expect(keys).toEqual(['clearing:8000', 'coverage:8000', 'hold:10000', 'selfpay:2000']);
    expect(await refundQuotaRecords(ctx)).toEqual([{ type: 1, amount: 8_000, ref_no: `refund:${res.body.refund.refund_no}` }]);

    await deliverDueCallbacks(ctx.deps);
    const last = ctx.partner.received.at(-1)!.json;
    expect(last).toMatchObject({
      event: 'refunded',
      res_code: 'ZF0232',
      seq: 3,
      final: true,
      insurer_amount: '80.00',
      self_pay_amount: '20.00',
      method: 'balance',
      refund: { partner_refund_no: 'R-FULL-1', amount: '100.00', status: 'succeeded' },
    });
    expect(ctx.partner.events()).toEqual(['order_created', 'paid', 'refunded']);

    const view = await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/orders/${orderNo}`);
    expect(view.body.order).toMatchObject({ status: 'settled', refunded_amount: '100.00', method: 'balance', last_callback_seq: 3 });
    expect(view.body.order.refunds).toHaveLength(1);
  });

  it('partial refunds add up to the amount paid; the same number twice answers the same refund; more is refused and changes nothing', async () => {
    const ctx = get();
    const orderNo = await paidByBalance(ctx);
    const first = await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-1', amount: '10.01' });
    expect(first.status).toBe(201);
    expect(first.body.refund).toMatchObject({ amount: '10.01', insurer_amount: '8.00', self_pay_amount: '2.01', status: 'succeeded' });
    const again = await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-1', amount: '10.01' });
    expect(again.status).toBe(200);
    expect(again.body.refund.refund_no).toBe(first.body.refund.refund_no);
    const before = await snapshot(ctx);
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-1', amount: '10.02' })).body.code).toBe('ZF0224');
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-2', amount: '90.00' })).body.code).toBe('ZF0223');
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-3', amount: '0' })).body.code).toBe('ZF0010');
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-4', amount: '1.001' })).body.code).toBe('ZF0010');
    expect(await snapshot(ctx)).toBe(before);
    const second = await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-2', amount: '89.99' });
    expect(second.body.refund).toMatchObject({ insurer_amount: '72.00', self_pay_amount: '17.99', status: 'succeeded' });
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-P-5', amount: '0.01' })).body.code).toBe('ZF0223');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen);
    const view = await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/refunds/R-P-2`);
    expect(view.body.refund).toMatchObject({ partner_refund_no: 'R-P-2', amount: '89.99' });
  });

  it('refuses a refund of an order that is not paid, or not the partner’s, and changes nothing', async () => {
    const ctx = get();
    const { orderNo } = await ctx.newOrder();
    const before = await snapshot(ctx);
    expect((await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-U-1', amount: '1.00' })).body.code).toBe('ZF0225');
    expect((await refund(ctx, { order_no: 'ZF00000000000000000000', partner_refund_no: 'R-U-2', amount: '1.00' })).body.code).toBe(
      'ZF0060',
    );
    expect(await snapshot(ctx)).toBe(before);
  });

  it('merchant ledger short: the refund waits as a manual task (alert); the admin completes it once the ledger covers it', async () => {
    const ctx = get();
    const orderNo = await paidByBalance(ctx);
    // The merchant's money was paid out to the partner meanwhile (what a settlement to its bank account would do).
    await transfer(ctx.deps.db, {
      key: 'test:payout',
      from: MERCHANT,
      to: Accounts.world,
      amountFen: 9_000,
      memo: 'payout',
      now: ctx.clock.now(),
    });
    const res = await refund(ctx, { order_no: orderNo, partner_refund_no: 'R-S-1', amount: '50.00' });
    expect(res.status).toBe(201);
    expect(res.body.refund).toMatchObject({ status: 'requested', waiting_for_admin: true });
    expect((await ctx.deps.db.selectFrom('alerts').select('kind').execute()).map((a) => a.kind)).toEqual(['REFUND_MERCHANT_SHORT']);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(1_000);
    const providers = refundProviders(ctx.deps);
    const refundNo = res.body.refund.refund_no as string;
    await expect(completeRefundTask(ctx.deps, providers, refundNo, 'admin')).rejects.toMatchObject({ code: 'ZF0227' });
    expect((await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/refunds/${refundNo}`)).body.refund.waiting_for_admin).toBe(
      true,
    );
    await transfer(ctx.deps.db, {
      key: 'test:topup',
      from: Accounts.world,
      to: MERCHANT,
      amountFen: 9_000,
      memo: 'partner tops up',
      now: ctx.clock.now(),
    });
    const done = await completeRefundTask(ctx.deps, providers, refundNo, 'admin');
    expect(done).toMatchObject({ status: 'succeeded', task_status: 'done', task_done_by: 'admin' });
    await expect(completeRefundTask(ctx.deps, providers, refundNo, 'admin')).rejects.toMatchObject({ code: 'ZF0228' });
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(5_000);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen - 4_000);
  });
});
