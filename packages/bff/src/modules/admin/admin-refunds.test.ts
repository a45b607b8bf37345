// Refunds from the console (issue 8 / 10): finance refunds an order (full / partial, idempotent by the console's
// refund number), completes a refund parked for want of merchant money, and operator / viewer are refused everything
// that moves money. Every mutation audited once; money conserved (checkLedger runs after each test) and the insurer's
// quota records right after each action.
import { expect, it } from 'vitest';
import { adminRequest, auditCount, createRoleAdmins, signInAs } from '../../../testing/admin.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { Accounts, balanceOf, checkLedger, ledgerIsClean, transfer } from '../../ledger/ledger.ts';
import { DEMO } from '../demo/demo.seed.ts';

const MERCHANT = Accounts.merchant(DEMO.partnerId);
const USER = Accounts.userWallet(DEMO.users.zhangsan.id);

/** A real balance payment of ¥100.00 under POL-PICC-001 (insurer share 80.00, self-pay 20.00). */
async function paidOrder(ctx: TestContext, referNo = 'REF-001'): Promise<string> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: referNo });
  expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
  return orderNo;
}

/** The type 1 records written for refunds (same database in tests, configurable table name). */
async function refundRecords(ctx: TestContext) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the quota tables have configurable names
  const db = ctx.deps.db as any;
  const rows = await db
    .selectFrom(ctx.deps.config.quota.recordTable)
    .select(['type', 'amount', 'ref_no'])
    .where('ref_no', 'like', 'refund:%')
    .execute();
  return rows.map((r: { type: number; amount: number; ref_no: string }) => [Number(r.type), Number(r.amount), r.ref_no]);
}

async function moneyIsConserved(ctx: TestContext) {
  expect(ledgerIsClean(await checkLedger(ctx.deps.db))).toBe(true);
}

describeEachDatabase('admin console: refunds', (get) => {
  it('operator and viewer see refunds but cannot refund, retry or complete; finance can; nothing moves on a refusal', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const orderNo = await paidOrder(ctx);
    const [view, op, fin] = [await signInAs(ctx, 'view'), await signInAs(ctx, 'op'), await signInAs(ctx, 'fin')];
    for (const who of [view, op, fin]) expect((await who('GET', '/api/admin/refunds')).status).toBe(200);
    expect((await adminRequest(ctx, undefined, 'GET', '/api/admin/refunds')).status).toBe(401);
    const before = await snapshot(ctx);
    const audits = await auditCount(ctx);
    const tries: Array<[string, unknown]> = [
      [`/api/admin/orders/${orderNo}/refunds`, { amount: '10.00', reason: '药房取消', refund_no: 'ADM-ROLE-1' }],
      ['/api/admin/refunds/RF-NONE/retry', undefined],
      ['/api/admin/refunds/RF-NONE/complete', undefined],
      ['/api/admin/attempts/PA-NONE/refund', undefined],
    ];
    for (const who of [view, op])
      for (const [path, body] of tries) expect([path, (await who('POST', path, body)).body.code]).toEqual([path, 'ZF0261']);
    expect(await snapshot(ctx)).toBe(before);
    expect(await auditCount(ctx)).toBe(audits);
    const res = await fin('POST', `/api/admin/orders/${orderNo}/refunds`, { amount: '10.00', reason: '药房取消', refund_no: 'ADM-ROLE-1' });
    expect([res.status, res.body.refund.status]).toEqual([201, 'succeeded']);
    expect(await auditCount(ctx)).toBe(audits + 1);
    // The read-only roles see it (and its provider status) in the list.
    expect((await view('GET', '/api/admin/refunds')).body.items).toMatchObject([
      { order_no: orderNo, amount: { yuan: '10.00' }, status: 'succeeded', provider_status: 'LOCAL', source: 'admin' },
    ]);
  });

  it('finance refunds in part then the rest: a double click refunds once, one audit row each, timeline shows legs and quota records', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const walletBefore = await balanceOf(ctx.deps.db, USER);
    const orderNo = await paidOrder(ctx);
    const fin = await signInAs(ctx, 'fin');
    const audits = await auditCount(ctx);
    const body = { amount: '30.01', reason: '部分药品退货', refund_no: 'ADM-P-0001' };
    const [a, b] = await Promise.all([
      fin('POST', `/api/admin/orders/${orderNo}/refunds`, body),
      fin('POST', `/api/admin/orders/${orderNo}/refunds`, body),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.refund.refund_no).toBe(b.body.refund.refund_no);
    const first = a.body.refund;
    expect(first).toMatchObject({
      partner_refund_no: 'admin:ADM-P-0001',
      amount: { fen: 3001 },
      insurer: { fen: 2400 },
      self_pay: { fen: 601 },
    });
    expect(await auditCount(ctx)).toBe(audits + 1);
    await moneyIsConserved(ctx);
    expect(await refundRecords(ctx)).toEqual([[1, 2400, `refund:${first.refund_no}`]]);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen - 8000 + 2400);

    // Bad input: a clear code, nothing changes, no audit row.
    const before = await snapshot(ctx);
    const bad: Array<[unknown, string]> = [
      [{ ...body, amount: '1.001', refund_no: 'ADM-P-0002' }, 'ZF0010'],
      [{ ...body, amount: '0.00', refund_no: 'ADM-P-0002' }, 'ZF0010'],
      [{ ...body, amount: '70.00', refund_no: 'ADM-P-0002' }, 'ZF0223'],
      [{ ...body, amount: '30.02' }, 'ZF0224'],
      [{ ...body, reason: '', refund_no: 'ADM-P-0002' }, 'ZF0010'],
    ];
    for (const [b2, code] of bad) expect((await fin('POST', `/api/admin/orders/${orderNo}/refunds`, b2)).body.code).toBe(code);
    expect((await fin('POST', `/api/admin/orders/ZF_NOPE/refunds`, { ...body, refund_no: 'ADM-P-0003' })).body.code).toBe('ZF0263');
    expect(await snapshot(ctx)).toBe(before);
    expect(await auditCount(ctx)).toBe(audits + 1);

    const rest = await fin('POST', `/api/admin/orders/${orderNo}/refunds`, { ...body, amount: '69.99', refund_no: 'ADM-P-0002' });
    expect(rest.body.refund).toMatchObject({ status: 'succeeded', insurer: { fen: 5600 }, self_pay: { fen: 1399 } });
    expect(await balanceOf(ctx.deps.db, USER)).toBe(walletBefore);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(0);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen);
    expect((await refundRecords(ctx)).map((r: unknown[]) => r[1]).sort()).toEqual([2400, 5600]);
    await moneyIsConserved(ctx);

    const timeline = (await fin('GET', `/api/admin/orders/${orderNo}`)).body;
    expect(timeline.refunds).toHaveLength(2);
    const shown = timeline.refunds.find((r: { refund_no: string }) => r.refund_no === first.refund_no);
    expect(shown.legs.map((l: { key: string }) => l.key.split(':')[2]).sort()).toEqual(['clearing', 'coverage', 'hold', 'selfpay']);
    expect(shown.quota_records).toMatchObject([{ type: 1, amount: { fen: 2400 } }]);
    const audit = (await fin('GET', '/api/admin/audit?action=refund.create')).body.items;
    expect(audit).toMatchObject([
      { actor: 'fin', role: 'finance', target: `order:${orderNo}`, note: '部分药品退货' },
      { actor: 'fin', role: 'finance', target: `order:${orderNo}` },
    ]);
  });

  it('lists refunds by status, partner, day and waiting-for-admin, paginated', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const fin = await signInAs(ctx, 'fin');
    const o1 = await paidOrder(ctx, 'REF-L1');
    for (let i = 1; i <= 3; i++)
      await fin('POST', `/api/admin/orders/${o1}/refunds`, { amount: '1.00', reason: '测试分页', refund_no: `ADM-L-000${i}` });
    const today = new Date(ctx.clock.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const page = (await fin('GET', `/api/admin/refunds?status=succeeded&partner_id=${DEMO.partnerId}&date=${today}&size=2&page=2`)).body;
    expect(page).toMatchObject({ total: 3, page: 2, size: 2 });
    expect(page.items).toHaveLength(1);
    expect((await fin('GET', '/api/admin/refunds?status=failed')).body.total).toBe(0);
    expect((await fin('GET', '/api/admin/refunds?partner_id=other')).body.total).toBe(0);
    expect((await fin('GET', '/api/admin/refunds?date=2001-01-01')).body.total).toBe(0);
    expect((await fin('GET', '/api/admin/refunds?task=1')).body.total).toBe(0);
    expect((await fin('GET', '/api/admin/refunds?status=bogus')).body.code).toBe('ZF0010');
  });

  it('merchant short: the refund waits; completing while still short moves nothing; completed once; a second completion moves nothing', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const orderNo = await paidOrder(ctx);
    await transfer(ctx.deps.db, {
      key: 'test:payout',
      from: MERCHANT,
      to: Accounts.world,
      amountFen: 9_000,
      memo: 'payout',
      now: ctx.clock.now(),
    });
    const fin = await signInAs(ctx, 'fin');
    const op = await signInAs(ctx, 'op');
    const res = await fin('POST', `/api/admin/orders/${orderNo}/refunds`, { amount: '50.00', reason: '整单退款', refund_no: 'ADM-S-0001' });
    expect(res.body.refund).toMatchObject({ status: 'requested', waiting_for_admin: true });
    const refundNo = res.body.refund.refund_no as string;
    expect((await op('GET', '/api/admin/refunds?task=1')).body.items.map((r: { refund_no: string }) => r.refund_no)).toEqual([refundNo]);
    expect((await op('GET', '/api/admin/alerts?kind=REFUND_MERCHANT_SHORT')).body.total).toBe(1);
    expect((await op('POST', `/api/admin/refunds/${refundNo}/complete`)).body.code).toBe('ZF0261');

    const audits = await auditCount(ctx);
    const before = await snapshot(ctx);
    const short = await fin('POST', `/api/admin/refunds/${refundNo}/complete`);
    expect([short.status, short.body.code]).toEqual([409, 'ZF0227']);
    expect(await snapshot(ctx)).toBe(before);
    expect(await auditCount(ctx)).toBe(audits);
    expect((await fin('GET', '/api/admin/refunds?task=1')).body.total).toBe(1);

    await transfer(ctx.deps.db, {
      key: 'test:topup',
      from: Accounts.world,
      to: MERCHANT,
      amountFen: 9_000,
      memo: 'top up',
      now: ctx.clock.now(),
    });
    const done = await fin('POST', `/api/admin/refunds/${refundNo}/complete`);
    expect(done.body.refund).toMatchObject({ status: 'succeeded', task_status: 'done', task_done_by: 'fin', waiting_for_admin: false });
    expect(await auditCount(ctx)).toBe(audits + 1);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(5_000);
    expect(await refundRecords(ctx)).toEqual([[1, 4000, `refund:${refundNo}`]]);
    await moneyIsConserved(ctx);

    const after = await snapshot(ctx);
    const again = await fin('POST', `/api/admin/refunds/${refundNo}/complete`);
    expect(again.body.code).toBe('ZF0228');
    expect(await snapshot(ctx)).toBe(after);
    expect(await auditCount(ctx)).toBe(audits + 1);
    // Nothing to retry on a refund that did not fail; an unknown one is 404.
    expect((await fin('POST', `/api/admin/refunds/${refundNo}/retry`)).body.code).toBe('ZF0228');
    expect((await fin('POST', `/api/admin/refunds/RF-NONE/retry`)).body.code).toBe('ZF0226');
  });
});
