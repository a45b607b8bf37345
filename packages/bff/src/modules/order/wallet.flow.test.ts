// The direct-pay flow through app.request, on SQLite and MariaDB: entry, policies, quote, order, balance pay,
// settlement, callbacks — and every refusal changing nothing.
import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { checkLedger, balanceOf, Accounts } from '../../ledger/ledger.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { describeEachDatabase, snapshot } from '../../../testing/harness.ts';
import { closeExpiredOrders } from './order.service.ts';

describeEachDatabase('direct-pay flow', (get) => {
  it('pays the demo claim by wallet balance, settles, and calls the partner back signed (order_created, paid)', async () => {
    const ctx = get();
    const { token, next } = await ctx.enter({ amout: '100.5' });
    expect(next).toEqual({ page: 'policies' });

    const policies = await ctx.call('GET', '/api/policies', token);
    expect(policies.status).toBe(200);
    expect(policies.body.policies.map((p: { policy_no: string }) => p.policy_no).sort()).toEqual(['POL-PAIC-001', 'POL-PICC-001']);
    expect(policies.body.amount_fen).toBe(10050);

    const q = await ctx.call('GET', '/api/policies/POL-PICC-001/quote', token);
    expect(q.body).toMatchObject({ amount_fen: 10050, insurer_fen: 8040, self_pay_fen: 2010 });

    const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
    expect(created.status).toBe(201);
    const orderNo: string = created.body.order.order_no;
    expect(orderNo).toMatch(/^ZF\d{20}$/);
    const row = await ctx.deps.db.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirstOrThrow();
    expect(row.marker).toBe(`PHID-CYZF-${orderNo}`);
    expect(Number(row.deadline_at) - ctx.clock.now()).toBe(30 * 60_000);

    const cashier = await ctx.call('GET', `/api/orders/${orderNo}/cashier`, token);
    expect(cashier.body.methods.find((m: { method: string }) => m.method === 'balance')).toMatchObject({
      enabled: true,
      balance_fen: 500_000,
    });

    const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' });
    expect(paid.status).toBe(200);
    expect(paid.body.order).toMatchObject({ status: 'settled', display: 'paid' });

    // Money: wallet −Y, merchant +A, clearing −X, insurer quota −X (both books still sum to zero, checked after each test).
    expect(await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.zhangsan.id))).toBe(500_000 - 2010);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10050);
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(5_000_000 - 8040);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 8040);
    expect(await balanceOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).toBe(100_000_000 - 8040);

    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
    const wh = new Webhook(DEMO.callbackSecret);
    for (const cb of ctx.partner.received) {
      expect(() => wh.verify(cb.body, cb.headers)).not.toThrow();
      expect(cb.headers['webhook-id']).toBe(cb.json.event_id);
    }
    const paidCb = ctx.partner.received[1]!.json;
    expect(paidCb).toMatchObject({
      order_no: orderNo,
      refer_no: 'REF-001',
      res_code: 0,
      event: 'paid',
      seq: 2,
      final: true,
      paid_amount: '100.50',
    });
    expect(ctx.partner.received[0]!.json).toMatchObject({ event: 'order_created', seq: 1, final: false });

    // Re-entry with the same refer_no resumes the paid order's result, never a second order.
    const again = await ctx.enter({ amout: '100.5' });
    expect(again.next).toEqual({ page: 'result', order_no: orderNo });
    const second = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '123456' });
    expect(second.body.code).toBe('ZF0080');
  });

  it('resumes the same open order on a second entry and on a repeated confirm (no duplicate order)', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder();
    expect((await ctx.call('GET', '/api/entry', token)).body).toEqual({ next: { page: 'cashier', order_no: order.order_no } });
    const again = await ctx.enter();
    expect(again.next).toEqual({ page: 'cashier', order_no: order.order_no });
    const repeat = await ctx.call('POST', '/api/orders', again.token, { policy_no: 'POL-PAIC-001' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.order.order_no).toBe(order.order_no);
    const withOrderNo = await ctx.enter({ order_no: order.order_no });
    expect(withOrderNo.next).toEqual({ page: 'cashier', order_no: order.order_no });
    const count = await ctx.deps.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    expect(token).toBeTruthy();
  });

  it('creates exactly one order when two confirms race', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    const results = await Promise.all([1, 2, 3].map(() => ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' })));
    const numbers = new Set(results.map((r) => r.body.order.order_no));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it('refuses a wrong PIN with the tries left, locks after 5, and changes nothing else', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder();
    const before = await snapshot(ctx);
    for (let i = 1; i <= 4; i++) {
      const res = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '000000' });
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({ code: 'ZF0090', reason: 'wrong_pin', remaining_tries: 5 - i });
    }
    const fifth = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '000000' });
    expect(fifth.body.code).toBe('ZF0110');
    const locked = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' });
    expect(locked.body.code).toBe('ZF0110');
    expect(await snapshot(ctx)).toBe(before);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);
  });

  it('refuses an insufficient balance (ZF0090) with no money moved and no callback; the order stays payable', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder({ claim_no: DEMO.users.wangwu.claimNo, amout: '50.00' }, 'POL-PICC-003');
    // The failed attempt stays on record (the payment records show it); nothing else may change.
    const before = await snapshot(ctx, ['attempts']);
    const res = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'ZF0090', reason: 'insufficient_balance' });
    expect(await snapshot(ctx, ['attempts'])).toBe(before);
    const view = await ctx.call('GET', `/api/orders/${order.order_no}`, token);
    expect(view.body.order).toMatchObject({ status: 'open', display: 'failed' });
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created']);
  });

  it('refuses tampered, expired, unsigned and unknown-partner links with ZF0020, and a foreign callback host with ZF0030', async () => {
    const ctx = get();
    const before = await snapshot(ctx);
    const good = ctx.linkParams();
    const tampered = { ...good, amout: '1.00' };
    expect((await ctx.call('POST', '/api/session', undefined, { params: tampered })).body.code).toBe('ZF0020');
    const wrongKey = ctx.linkParams({}, 'not-the-secret');
    expect((await ctx.call('POST', '/api/session', undefined, { params: wrongKey })).body.code).toBe('ZF0020');
    const unsigned: Record<string, string> = { ...good };
    delete unsigned.sign;
    expect((await ctx.call('POST', '/api/session', undefined, { params: unsigned })).body.code).toBe('ZF0020');
    expect((await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ partner_id: 'nobody' }) })).body.code).toBe(
      'ZF0020',
    );
    const old = ctx.linkParams();
    ctx.clock.advance(6 * 60_000);
    expect((await ctx.call('POST', '/api/session', undefined, { params: old })).body.code).toBe('ZF0020');
    const evil = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ callback: 'https://evil.example.com/cb' }) });
    expect(evil.status).toBe(403);
    expect(evil.body.code).toBe('ZF0030');
    expect((await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ amout: '10.001' }) })).body.code).toBe('ZF0010');
    expect(
      (await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ claim_no: DEMO.users.lisi.claimNo }) })).status,
    ).toBe(200);
    expect(await snapshot(ctx)).toBe(before);
  });

  it('answers ZF0040 when the claim has no valid policy, and never lists an expired one', async () => {
    const ctx = get();
    const { token } = await ctx.enter({ claim_no: DEMO.users.lisi.claimNo });
    expect((await ctx.call('GET', '/api/policies', token)).body.code).toBe('ZF0040');
    const mine = await ctx.enter();
    const list = await ctx.call('GET', '/api/policies', mine.token);
    expect(list.body.policies.map((p: { policy_no: string }) => p.policy_no)).not.toContain('POL-PICC-000');
    expect((await ctx.call('GET', '/api/policies/POL-PICC-000/quote', mine.token)).body.code).toBe('ZF0050');
    expect((await ctx.call('POST', '/api/orders', mine.token, { policy_no: 'POL-PICC-003' })).body.code).toBe('ZF0050');
  });

  it("hides another user's or partner refer's order (ZF0060) and refuses to pay it", async () => {
    const ctx = get();
    const { order } = await ctx.newOrder();
    const stranger = await ctx.enter({ refer_no: 'REF-OTHER', claim_no: DEMO.users.wangwu.claimNo });
    const before = await snapshot(ctx);
    expect((await ctx.call('GET', `/api/orders/${order.order_no}`, stranger.token)).body.code).toBe('ZF0060');
    expect((await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, stranger.token, { pin: '123456' })).body.code).toBe(
      'ZF0060',
    );
    const linkToForeign = await ctx.call('POST', '/api/session', undefined, {
      params: ctx.linkParams({ refer_no: 'REF-OTHER', order_no: order.order_no }),
    });
    expect(linkToForeign.body.code).toBe('ZF0060');
    expect(await snapshot(ctx)).toBe(before);
  });

  it('lets two concurrent balance payments of one order never both succeed', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder();
    const results = await Promise.all(
      [1, 2, 3].map(() => ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('ZF0080');
    expect(await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.zhangsan.id))).toBe(500_000 - order.self_pay_fen);
    const attempts = await ctx.deps.db.selectFrom('payment_attempts').select('status').where('order_no', '=', order.order_no).execute();
    expect(attempts.filter((a) => a.status === 'succeeded')).toHaveLength(1);
  });

  it('raises INSURER_QUOTA_SHORT (early at the hold, then at settlement) and still settles and calls back when the insurer quota is short', async () => {
    const ctx = get();
    // PAIC has 100.00 of quota; a 600.00 bill under POL-PAIC-001 makes the insurer share 500.00 (coverage cap).
    const { token, order } = await ctx.newOrder({ amout: '600' }, 'POL-PAIC-001');
    expect(order.insurer_fen).toBe(50_000);
    const paid = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' });
    expect(paid.body.order.status).toBe('settled');
    const alerts = await ctx.deps.db.selectFrom('alerts').select(['kind', 'order_no']).orderBy('kind').execute();
    expect(alerts).toEqual([
      { kind: 'INSURER_QUOTA_SHORT', order_no: order.order_no },
      { kind: 'INSURER_QUOTA_SHORT_EARLY', order_no: order.order_no },
    ]);
    expect(await ctx.deps.quota.remaining('PAIC')).toBe(10_000 - 50_000);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });

  it('parks the clearing in a manual task with CLEARING_LEDGER_SHORT when the clearing ledger is short, and still calls back paid', async () => {
    const ctx = get();
    // Drain the clearing ledger to 10.00 so an 80.00 insurer share cannot be cleared.
    const { transfer } = await import('../../ledger/ledger.ts');
    await ctx.deps.db.transaction().execute((trx) =>
      transfer(trx, {
        key: 'test:drain',
        from: Accounts.clearing,
        to: Accounts.world,
        amountFen: 5_000_000 - 1000,
        memo: 'test drain',
        now: ctx.clock.now(),
      }),
    );
    const { token, order } = await ctx.newOrder();
    const paid = await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' });
    expect(paid.body.order.status).toBe('settled');
    const task = await ctx.deps.db.selectFrom('clearing_tasks').selectAll().executeTakeFirstOrThrow();
    expect(task).toMatchObject({ order_no: order.order_no, status: 'open' });
    expect(Number(task.amount_fen)).toBe(8000);
    expect(Number(task.due_at)).toBeGreaterThan(ctx.clock.now());
    expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(1000);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(order.self_pay_fen);
    const kinds = (await ctx.deps.db.selectFrom('alerts').select('kind').execute()).map((a) => a.kind);
    expect(kinds).toEqual(['CLEARING_LEDGER_SHORT']);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });

  it('settles at once when the insurer pays everything (Y = 0): no cashier, no money from the user', async () => {
    const ctx = get();
    // A policy paying 100 % with no deductible leaves the user nothing to pay.
    await ctx.deps.db.updateTable('policies').set({ ratio_bp: 10_000 }).where('policy_no', '=', 'POL-PICC-003').execute();
    const w = await ctx.enter({ amout: '30', refer_no: 'REF-Y0', claim_no: DEMO.users.wangwu.claimNo });
    const settled = await ctx.call('POST', '/api/orders', w.token, { policy_no: 'POL-PICC-003' });
    expect(settled.status).toBe(201);
    expect(settled.body.order).toMatchObject({ self_pay_fen: 0, insurer_fen: 3000, status: 'settled', display: 'paid' });
    expect(await balanceOf(ctx.deps.db, Accounts.userWallet(DEMO.users.wangwu.id))).toBe(100);
    expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(3000);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 3000);
    await deliverDueCallbacks(ctx.deps);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
  });

  it('closes an expired order (ZF0070 at the cashier, `closed` callback, coverage released) and lets a new link start over', async () => {
    const ctx = get();
    const { token, order } = await ctx.newOrder();
    ctx.clock.advance(31 * 60_000);
    expect((await ctx.call('POST', `/api/orders/${order.order_no}/pay/balance`, token, { pin: '123456' })).body.code).toBe('ZF0070');
    expect(await closeExpiredOrders(ctx.deps)).toBe(1);
    const policy = await ctx.deps.db
      .selectFrom('policies')
      .select('coverage_left_fen')
      .where('policy_no', '=', 'POL-PICC-001')
      .executeTakeFirstOrThrow();
    expect(Number(policy.coverage_left_fen)).toBe(1_000_000);
    await deliverDueCallbacks(ctx.deps);
    expect(ctx.partner.events()).toEqual(['order_created', 'closed']);
    expect(ctx.partner.received[1]!.json).toMatchObject({ res_code: 'ZF0070', final: true, seq: 2 });
    const fresh = await ctx.enter();
    expect(fresh.next).toEqual({ page: 'policies' });
    const again = await ctx.call('POST', '/api/orders', fresh.token, { policy_no: 'POL-PICC-001' });
    expect(again.status).toBe(201);
    expect(again.body.order.order_no).not.toBe(order.order_no);
  });

  it('answers codes, never internals: unknown route, malformed JSON, bad params, missing session', async () => {
    const ctx = get();
    const unknown = await ctx.call('GET', '/api/nope');
    expect(unknown).toEqual({ status: 404, body: { code: 'ZF0140', request_id: expect.any(String) } });
    const { token } = await ctx.enter();
    const malformed = await ctx.call('POST', '/api/orders', token, '{"policy_no":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('ZF0010');
    expect((await ctx.call('POST', '/api/orders', token, { policy: 1 })).body.code).toBe('ZF0010');
    expect((await ctx.call('GET', '/api/policies')).body.code).toBe('ZF0020');
    expect((await ctx.call('GET', '/api/policies', `${token}x`)).body.code).toBe('ZF0020');
    expect((await ctx.call('POST', '/api/session', undefined, { params: { partner_id: 'demo' } })).body.code).toBe('ZF0010');
    const ledger = await checkLedger(ctx.deps.db);
    expect(ledger.bookTotals).toEqual({ cash: 0, quota: 0, coverage: 0 });
  });

  it('draws another order number when the one drawn is taken (same second, same six digits): no 500, no hold keyed twice', async () => {
    const ctx = get();
    const real = ctx.deps.random;
    // The first two draws of the six digits collide; every later draw is real.
    let draws = 0;
    ctx.deps.random = { hex: real.hex, int: (max) => (max === 1_000_000 && draws++ < 2 ? 424_242 : real.int(max)) };
    try {
      const first = await ctx.newOrder({ refer_no: 'REF-COLLIDE-1' });
      // Another policy, so a hold keyed by the taken number would differ from the first order's.
      const second = await ctx.newOrder({ refer_no: 'REF-COLLIDE-2', amout: '150.00' }, 'POL-PAIC-001');
      expect(first.orderNo).toMatch(/424242$/);
      expect(second.orderNo).not.toBe(first.orderNo);
      expect(second.orderNo).toMatch(/^ZF\d{20}$/);
      for (const { orderNo, order } of [first, second]) {
        const holds = await ctx.deps.db
          .selectFrom('ledger_pending')
          .select(['status', 'amount_fen'])
          .where('order_no', '=', orderNo)
          .execute();
        expect(holds.map((h) => [h.status, Number(h.amount_fen)])).toEqual([
          ['pending', order.insurer_fen],
          ['pending', order.insurer_fen],
        ]);
      }
    } finally {
      ctx.deps.random = real;
    }
  });
});
