// What a phone user may choose at the cashier (issue 13 defects 1, 3, 8), on SQLite and MariaDB: 更换保单 closes the
// open order (a `closed` callback) unless an attempt is in flight; a pending Guanaitong trip is shown and paying
// another way needs `confirm_supersede`, and a trip that then succeeds too is a DOUBLE_PAYMENT the order view
// reports; the Y = 0 demo policy is paid at once.
import { expect, it } from 'vitest';
import { Accounts, balanceOf, balancesOf } from '../../ledger/ledger.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { findOrder } from '../order/order.repository.ts';
import { attemptsOf, describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { createAttempt, recordProviderSuccess } from './payment.service.ts';

/** A Guanaitong trip as the auth callback leaves it: an attempt `submitted` at Guanaitong's cashier. */
async function openTrip(ctx: TestContext, orderNo: string): Promise<string> {
  const order = await findOrder(ctx.deps.db, orderNo);
  const attempt = await createAttempt(ctx.deps.db, order!, 'guanaitong', ctx.clock.now(), {
    status: 'submitted',
    submitted_at: ctx.clock.now(),
    provider_ref: `GAT${orderNo}`,
  });
  return attempt.id;
}

async function events(ctx: TestContext): Promise<string[]> {
  await deliverDueCallbacks(ctx.deps);
  return ctx.partner.received.map((r) => `${String(r.json.event)}:${String(r.json.res_code)}:${String(r.json.final)}`);
}

describeEachDatabase('cashier choices: change the policy, supersede a Guanaitong trip, Y = 0', (get) => {
  it('更换保单 closes the open order with a final `closed` callback, releases its coverage, and the link then lists the policies again', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder();
    // The coverage book: the open order's hold is taken from the policy's available coverage, the close voids it.
    const coverage = async () => (await balancesOf(ctx.deps.db, Accounts.policyCoverage('POL-PICC-001'))).availableFen;
    expect(await coverage()).toBe(1_000_000 - 8_000);
    const res = await ctx.call('POST', `/api/orders/${orderNo}/close`, token);
    expect(res.status).toBe(200);
    expect(res.body.order).toMatchObject({ order_no: orderNo, status: 'closed', display: 'closed' });
    expect(await coverage()).toBe(1_000_000);
    expect(await events(ctx)).toEqual(['order_created:ZF0230:false', 'closed:ZF0070:true']);
    expect(ctx.partner.received[1]?.json.res_info).toBe('用户更换保单，订单已关闭');
    // The same link goes to the policy list, and another policy makes a new order.
    expect((await ctx.call('GET', '/api/entry', token)).body.next.page).toBe('policies');
    const next = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PAIC-001' });
    expect(next.status).toBe(201);
    expect(next.body.order.order_no).not.toBe(orderNo);
    // Closing twice, or a paid order: refused, nothing changes.
    expect((await ctx.call('POST', `/api/orders/${orderNo}/close`, token)).body.code).toBe('ZF0070');
    expect((await ctx.call('POST', `/api/orders/${next.body.order.order_no}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
    const before = await snapshot(ctx);
    expect((await ctx.call('POST', `/api/orders/${next.body.order.order_no}/close`, token)).body.code).toBe('ZF0080');
    const other = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    expect((await ctx.call('POST', `/api/orders/${next.body.order.order_no}/close`, other.token)).body.code).toBe('ZF0060');
    expect(await snapshot(ctx)).toBe(before);
  });

  it('更换保单 is refused with ZF0170 while an attempt is in flight, changing nothing', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder();
    await openTrip(ctx, orderNo);
    const before = await snapshot(ctx);
    const res = await ctx.call('POST', `/api/orders/${orderNo}/close`, token);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ZF0170');
    expect(await snapshot(ctx)).toBe(before);
  });

  it('shows a pending Guanaitong trip; refuses balance without confirm_supersede (ZF0200, PIN not even checked); with it pays, and the late trip success is a DOUBLE_PAYMENT the order reports', async () => {
    const ctx = get();
    const { token, orderNo, order } = await ctx.newOrder();
    ctx.clock.advance(1000);
    const tripAt = ctx.clock.now();
    const tripId = await openTrip(ctx, orderNo);
    const cashier = await ctx.call('GET', `/api/orders/${orderNo}/cashier`, token);
    expect(cashier.body.pending_trip).toEqual({ method: 'guanaitong', started_at: new Date(tripAt).toISOString() });

    const before = await snapshot(ctx);
    const refused = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '000000' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ZF0200');
    expect(await snapshot(ctx)).toBe(before);
    const pinFailed = await ctx.deps.db
      .selectFrom('users')
      .select('pin_failed')
      .where('id', '=', DEMO.users.zhangsan.id)
      .executeTakeFirstOrThrow();
    expect(Number(pinFailed.pin_failed)).toBe(0);

    const wallet = await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.zhangsan.id));
    ctx.clock.advance(1000); // the attempts list in creation order
    const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin, confirm_supersede: true });
    expect(paid.status).toBe(200);
    expect(paid.body.order.status).toBe('settled');
    expect((await ctx.call('GET', `/api/orders/${orderNo}`, token)).body.order.extra_paid_fen).toBe(0);
    expect(await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.zhangsan.id))).toBe(wallet - order.self_pay_fen);

    // Guanaitong's success of the superseded trip arrives (its notify ends in this call): not settled twice, alerted.
    expect(await recordProviderSuccess(ctx.deps, tripId, 'GAT-TRADE-1')).toBe('double');
    const alerts = await ctx.deps.db.selectFrom('alerts').select(['kind', 'amount_fen']).where('order_no', '=', orderNo).execute();
    expect(alerts).toEqual([{ kind: 'DOUBLE_PAYMENT', amount_fen: order.self_pay_fen }]);
    const view = await ctx.call('GET', `/api/orders/${orderNo}`, token);
    expect(view.body.order).toMatchObject({ status: 'settled', extra_paid_fen: order.self_pay_fen });
    expect((await attemptsOf(ctx, orderNo)).map((a) => `${a.method}:${a.status}`)).toEqual(['guanaitong:succeeded', 'balance:succeeded']);
    expect(await events(ctx)).toEqual(['order_created:ZF0230:false', 'paid:0:true']);
  });

  it('card payments need confirm_supersede too while a trip is in flight (ZF0200)', async () => {
    const ctx = get();
    const { token, orderNo } = await ctx.newOrder();
    await openTrip(ctx, orderNo);
    const before = await snapshot(ctx);
    expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).body.code).toBe(
      'ZF0200',
    );
    expect(await snapshot(ctx)).toBe(before);
  });

  it('Y = 0 demo policy (CPIC, 100 %, no deductible): the insurer pays all, the order is settled on confirm, the quota is deducted', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder({ claim_no: DEMO.users.zhaoliu.claimNo, refer_no: 'REF-Y0' }, 'POL-CPIC-004');
    expect(order).toMatchObject({ insurer_fen: 10_000, self_pay_fen: 0, status: 'settled', display: 'paid' });
    expect(await ctx.deps.quota.remaining('CPIC')).toBe(DEMO.quota.CPIC.rechargeFen - 10_000);
    expect(await events(ctx)).toEqual(['order_created:ZF0230:false', 'paid:0:true']);
    expect((await ctx.call('GET', '/api/entry', token)).body.next).toEqual({ page: 'result', order_no: order.order_no });
  });
});
