import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { adminRequest, auditCount, createRoleAdmins, signInAs } from '../../../testing/admin.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { inTransaction } from '../../db/database.ts';
import { Accounts, balanceOf, transfer } from '../../ledger/ledger.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { reconcile } from '../reconcile/reconcile.service.ts';

/** Empties the clearing ledger through the ledger itself (a balanced transfer out to `world`). */
async function drainClearing(ctx: TestContext): Promise<void> {
  const balance = await balanceOf(ctx.deps.db, Accounts.clearing);
  await inTransaction(ctx.deps.db, (trx) =>
    transfer(trx, {
      key: 'test:drain-clearing',
      from: Accounts.clearing,
      to: Accounts.world,
      amountFen: balance,
      memo: 'test: clearing ledger spent',
      now: ctx.clock.now(),
    }),
  );
}

/** A real balance payment of ¥100.00 under POL-PICC-001 (insurer share 80.00). */
async function paidOrder(ctx: TestContext, referNo = 'REF-001'): Promise<string> {
  const { token, orderNo } = await ctx.newOrder({ refer_no: referNo });
  const paid = await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
  expect(paid.status).toBe(200);
  return orderNo;
}

const moneyState = async (ctx: TestContext) =>
  JSON.stringify(await ctx.deps.db.selectFrom('ledger_accounts').select(['id', 'balance_fen']).orderBy('id').execute());

describeEachDatabase('admin console API', (ctx) => {
  it('lets each role see and do exactly what it may', async () => {
    await createRoleAdmins(ctx());
    const view = await signInAs(ctx(), 'view');
    const op = await signInAs(ctx(), 'op');
    const fin = await signInAs(ctx(), 'fin');
    const reads = [
      '/api/admin/overview',
      '/api/admin/alerts',
      '/api/admin/clearing/tasks',
      '/api/admin/insurers',
      '/api/admin/insurers/PICC',
      '/api/admin/orders',
      '/api/admin/callbacks',
      '/api/admin/partners',
      '/api/admin/users',
      '/api/admin/ledger',
      '/api/admin/audit',
    ];
    for (const path of reads) {
      for (const who of [view, op, fin]) expect([path, (await who('GET', path)).status]).toEqual([path, 200]);
      expect([path, (await adminRequest(ctx(), undefined, 'GET', path)).status]).toEqual([path, 401]);
    }
    const before = await moneyState(ctx());
    // viewer: no mutation at all
    const viewerTries: Array<[string, string, unknown]> = [
      ['POST', '/api/admin/users/U-DEMO-001/unlock-pin', { reason: '用户来电核实身份' }],
      ['POST', '/api/admin/clearing/recharge', { amount: '10.00', reference: 'R-1' }],
      ['POST', '/api/admin/partners/demo/callbacks/replay-dead', undefined],
      ['POST', '/api/admin/partners', { id: 'p2', name: 'P2', callback_hosts: ['localhost'] }],
    ];
    for (const [m, p, b] of viewerTries) expect([p, (await view(m, p, b)).body.code]).toEqual([p, 'ZF0261']);
    // operator: handles, but moves no money and touches no secrets
    expect((await op('POST', '/api/admin/users/U-DEMO-001/unlock-pin', { reason: '用户来电核实身份' })).status).toBe(200);
    for (const [m, p, b] of [
      ['POST', '/api/admin/clearing/recharge', { amount: '10.00', reference: 'R-1' }],
      ['POST', '/api/admin/insurers/PICC/recharge', { amount: '10.00', reference: 'R-1' }],
      ['PUT', '/api/admin/insurers/PICC/warning', { warning_amount: '10.00' }],
      ['POST', '/api/admin/partners', { id: 'p2', name: 'P2', callback_hosts: ['localhost'] }],
      ['POST', '/api/admin/partners/demo/rotate', { which: 'link' }],
    ] as const)
      expect([p, (await op(m, p, b)).body.code]).toEqual([p, 'ZF0261']);
    expect(await moneyState(ctx())).toBe(before);
    // finance: everything
    expect((await fin('POST', '/api/admin/clearing/recharge', { amount: '10.00', reference: 'R-1' })).status).toBe(200);
    expect((await fin('POST', '/api/admin/partners', { id: 'p2', name: 'P2', callback_hosts: ['localhost'] })).status).toBe(201);
  });

  it('a real payment short of clearing money parks a task; finance recharges, operator completes once', async () => {
    await createRoleAdmins(ctx());
    await drainClearing(ctx());
    const orderNo = await paidOrder(ctx());
    const op = await signInAs(ctx(), 'op');
    const fin = await signInAs(ctx(), 'fin');

    const alerts = await op('GET', `/api/admin/alerts?kind=CLEARING_LEDGER_SHORT&status=open`);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({ order_no: orderNo, amount: { fen: 8000, yuan: '80.00' } });
    const overview = await op('GET', '/api/admin/overview');
    expect(overview.body).toMatchObject({
      open_alerts: { CLEARING_LEDGER_SHORT: 1 },
      clearing_balance: { fen: 0 },
      today: { paid_orders: 1, amount: { yuan: '100.00' } },
    });

    const tasks = await op('GET', '/api/admin/clearing/tasks?status=open');
    const task = tasks.body.items[0];
    expect(task).toMatchObject({ order_no: orderNo, amount: { fen: 8000 }, overdue: false, status: 'open' });
    const merchantBefore = await balanceOf(ctx().deps.db, Accounts.merchant('demo'));

    // Still short: a code, nothing changes, no audit row.
    const audits0 = await auditCount(ctx());
    const short = await op('POST', `/api/admin/clearing/tasks/${task.id}/complete`);
    expect([short.status, short.body.code]).toEqual([409, 'ZF0264']);
    expect(await auditCount(ctx())).toBe(audits0);
    expect(await balanceOf(ctx().deps.db, Accounts.merchant('demo'))).toBe(merchantBefore);

    // Recharge with a reference; the retried request moves nothing.
    const r1 = await fin('POST', '/api/admin/clearing/recharge', { amount: '100.00', reference: 'BANK-20261201-1' });
    const r2 = await fin('POST', '/api/admin/clearing/recharge', { amount: '100.00', reference: 'BANK-20261201-1' });
    expect([r1.body, r2.body]).toEqual([
      { duplicate: false, balance_fen: 10_000 },
      { duplicate: true, balance_fen: 10_000 },
    ]);
    expect((await fin('POST', '/api/admin/clearing/recharge', { amount: '90.00', reference: 'BANK-20261201-1' })).body.code).toBe('ZF0267');
    expect(await auditCount(ctx())).toBe(audits0 + 1);

    // Reconciliation agrees in both states: parked (no insurer transfer), then completed (under the original key).
    const transferDiffs = async () =>
      (await reconcile(ctx().deps, { since: 0 })).differences.filter((d) => d.orderNo === orderNo && d.check === 'transfers');
    expect(await transferDiffs()).toEqual([]);
    const done = await op('POST', `/api/admin/clearing/tasks/${task.id}/complete`);
    expect(done.body).toMatchObject({ transfer: 'created', clearing_fen: 2000 });
    expect(await transferDiffs()).toEqual([]);
    expect(await balanceOf(ctx().deps.db, Accounts.merchant('demo'))).toBe(merchantBefore + 8000);
    expect(await auditCount(ctx())).toBe(audits0 + 2);
    const keys = await ctx().deps.db.selectFrom('ledger_transfers').select('idempotency_key').where('order_no', '=', orderNo).execute();
    expect(keys.map((k) => k.idempotency_key)).toContain(`order:${orderNo}:insurer`);

    // A second completion moves no money and writes no audit row.
    const money = await moneyState(ctx());
    const again = await op('POST', `/api/admin/clearing/tasks/${task.id}/complete`);
    expect(again.body.code).toBe('ZF0265');
    expect(await moneyState(ctx())).toBe(money);
    expect(await auditCount(ctx())).toBe(audits0 + 2);
    expect((await op('GET', '/api/admin/alerts?status=resolved')).body.items[0]).toMatchObject({
      kind: 'CLEARING_LEDGER_SHORT',
      resolved_by: 'op',
    });
    const ledger = await op('GET', '/api/admin/ledger');
    expect(ledger.body.check).toEqual({
      ok: true,
      book_totals: { cash: 0, quota: 0, coverage: 0 },
      drifted: [],
      pending_drifted: [],
      negative: [],
    });

    const timeline = await op('GET', `/api/admin/orders/${orderNo}`);
    expect(timeline.body.attempts[0]).toMatchObject({ method: 'balance', status: 'succeeded' });
    expect(timeline.body.transfers.map((t: { key: string }) => t.key).sort()).toEqual(
      [`order:${orderNo}:coverage`, `order:${orderNo}:insurer`, `order:${orderNo}:quota`, `order:${orderNo}:selfpay`].sort(),
    );
    expect(timeline.body.quota_records).toMatchObject([{ type: 2, amount: { fen: 8000 } }]);
    expect(timeline.body.clearing_tasks[0]).toMatchObject({ status: 'done', done_by: 'op' });
  });

  it('every mutation leaves exactly one audit row with who, role, target, before/after and request id', async () => {
    await createRoleAdmins(ctx());
    const fin = await signInAs(ctx(), 'fin');
    await paidOrder(ctx());
    const [alert] = (await fin('GET', '/api/admin/alerts')).body.items.length ? (await fin('GET', '/api/admin/alerts')).body.items : [null];
    const mutations: Array<[string, string, unknown]> = [
      ['POST', '/api/admin/clearing/recharge', { amount: '1.00', reference: 'A-1' }],
      ['POST', '/api/admin/insurers/PAIC/recharge', { amount: '500.00', reference: 'A-2' }],
      ['PUT', '/api/admin/insurers/PAIC/warning', { warning_amount: '1000.00' }],
      ['POST', '/api/admin/partners', { id: 'acme', name: '某药房', callback_hosts: ['127.0.0.1'] }],
      ['PUT', '/api/admin/partners/acme/hosts', { callback_hosts: ['127.0.0.1', 'localhost'] }],
      ['POST', '/api/admin/partners/acme/rotate', { which: 'link' }],
      ['POST', '/api/admin/partners/acme/rotate', { which: 'callback' }],
      ['POST', '/api/admin/partners/acme/disable', undefined],
      ['POST', '/api/admin/partners/acme/enable', undefined],
      ['POST', '/api/admin/users/U-DEMO-003/unlock-pin', { reason: '工单 #42 核实本人' }],
      ['POST', '/api/admin/partners/demo/callbacks/test', { event: 'paid', url: ctx().partner.url }],
    ];
    if (alert)
      mutations.push(
        ['POST', `/api/admin/alerts/${alert.id}/acknowledge`, undefined],
        ['POST', `/api/admin/alerts/${alert.id}/resolve`, { note: '已核实' }],
      );
    for (const [method, path, body] of mutations) {
      const n = await auditCount(ctx());
      const res = await adminRequest(ctx(), fin.token, method, path, body, { 'x-request-id': 'req-' + n });
      expect([path, res.status]).toEqual([path, path.endsWith('/api/admin/partners') ? 201 : 200]);
      expect([path, await auditCount(ctx())]).toEqual([path, n + 1]);
      const row = await ctx()
        .deps.db.selectFrom('audit_log')
        .selectAll()
        .where('request_id', '=', 'req-' + n)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ actor: 'fin', role: 'finance', request_id: 'req-' + n });
      expect(row.target).toBeTruthy();
      expect(row.after_json).toBeTruthy();
    }
    const unlock = (await fin('GET', '/api/admin/audit?action=user.pin_unlock')).body.items;
    expect(unlock).toMatchObject([{ actor: 'fin', target: 'user:U-DEMO-003', note: '工单 #42 核实本人' }]);
    const audit = await fin('GET', '/api/admin/audit?size=5&page=2');
    expect(audit.body).toMatchObject({ total: mutations.length, page: 2, size: 5 });
    // Secrets never land in the audit log.
    const all = JSON.stringify(await ctx().deps.db.selectFrom('audit_log').selectAll().execute());
    expect(all).not.toMatch(/whsec_|lk_/);
    expect(await ctx().deps.quota.remaining('PAIC')).toBe(10_000 + 50_000);
  });

  it('replays a dead callback with its event_id, and replays all dead events of a partner', async () => {
    await createRoleAdmins(ctx());
    ctx().partner.status = 500;
    await paidOrder(ctx());
    for (let i = 0; i < 20; i++) {
      await deliverDueCallbacks(ctx().deps);
      ctx().clock.advance(7 * 3600_000);
    }
    const op = await signInAs(ctx(), 'op');
    // An undelivered earlier event holds a later one back at most 30 s (main's callback contract): both die.
    const all = (await op('GET', '/api/admin/callbacks?status=dead')).body.items as Array<{
      event: string;
      event_id: string;
      order_no: string;
      deliveries: unknown[];
    }>;
    expect(all.map((e) => e.event).sort()).toEqual(['order_created', 'paid']);
    const dead: [(typeof all)[number]] = [all.find((e) => e.event === 'order_created')!];
    const paidDead = all.find((e) => e.event === 'paid')!;
    expect(dead[0].deliveries.length).toBeGreaterThan(10);
    expect((await op('GET', '/api/admin/overview')).body.dead_callbacks).toBe(2);
    expect(ctx().partner.received.map((r) => r.json.event_id)).toContain(dead[0].event_id);

    ctx().partner.status = 200;
    const replay = await op('POST', `/api/admin/callbacks/${dead[0].event_id}/replay`);
    expect(replay.body).toEqual({ event_id: dead[0].event_id, status: 'pending' });
    expect((await op('POST', `/api/admin/callbacks/${dead[0].event_id}/replay`)).body.code).toBe('ZF0265');
    ctx().partner.received.length = 0;
    await deliverDueCallbacks(ctx().deps);
    await deliverDueCallbacks(ctx().deps);
    const redelivered = ctx().partner.received.filter((r) => r.json.event === 'order_created');
    expect(redelivered.map((r) => [r.json.event_id, r.headers['webhook-id']])).toEqual([[dead[0].event_id, dead[0].event_id]]);
    expect(
      (await op('GET', `/api/admin/callbacks?order_no=${dead[0].order_no}`)).body.items.find(
        (e: { event_id: string }) => e.event_id === dead[0].event_id,
      ),
    ).toMatchObject({ status: 'delivered' });

    const rest = await op('POST', '/api/admin/partners/demo/callbacks/replay-dead');
    expect(rest.body).toEqual({ replayed: 1, event_ids: [paidDead.event_id] });
    expect((await op('POST', '/api/admin/partners/demo/callbacks/replay-dead')).body).toEqual({ replayed: 0, event_ids: [] });
  });

  it('a rotated callback secret signs new deliveries while the old one still verifies within the overlap', async () => {
    await createRoleAdmins(ctx());
    const fin = await signInAs(ctx(), 'fin');
    const rotated = await fin('POST', '/api/admin/partners/demo/rotate', { which: 'callback' });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect((await fin('GET', '/api/admin/partners')).body.items[0].callback_overlap_until).toBe(ctx().clock.now() + 24 * 3600_000);
    await ctx().newOrder();
    await deliverDueCallbacks(ctx().deps);
    const first = ctx().partner.received[0]!;
    for (const secret of [DEMO.callbackSecret, rotated.body.secret as string])
      expect(new Webhook(secret).verify(first.body, first.headers)).toMatchObject({ event: 'order_created' });

    // After the overlap, only the new secret verifies.
    ctx().clock.advance(24 * 3600_000 + 1000);
    await ctx().newOrder({ refer_no: 'REF-002' });
    await deliverDueCallbacks(ctx().deps);
    const later = ctx().partner.received.at(-1)!;
    expect(later.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    const verify = (secret: string) =>
      new Webhook(secret).verify(later.body, { ...later.headers, 'webhook-timestamp': later.headers['webhook-timestamp']! });
    expect(() => verify(DEMO.callbackSecret)).toThrow();
    // standardwebhooks checks the timestamp against the real clock; the manual clock is a day ahead here.
    expect(() => verify(rotated.body.secret as string)).toThrow(/timestamp/i);
  });

  it('a rotated link secret: the old one still opens a session within the overlap, not after', async () => {
    await createRoleAdmins(ctx());
    const fin = await signInAs(ctx(), 'fin');
    const rotated = await fin('POST', '/api/admin/partners/demo/rotate', { which: 'link' });
    const open = (secret: string) => ctx().call('POST', '/api/session', undefined, { params: ctx().linkParams({}, secret) });
    expect((await open(DEMO.linkSecret)).status).toBe(200);
    expect((await open(rotated.body.secret as string)).status).toBe(200);
    ctx().clock.advance(24 * 3600_000 + 1);
    expect((await open(DEMO.linkSecret)).body.code).toBe('ZF0020');
    expect((await open(rotated.body.secret as string)).status).toBe(200);
    // A disabled partner's links are refused (the admin session went idle meanwhile: sign in again).
    const fin2 = await signInAs(ctx(), 'fin');
    expect((await fin2('POST', '/api/admin/partners/demo/disable')).body).toMatchObject({ disabled: true });
    expect((await open(rotated.body.secret as string)).body.code).toBe('ZF0020');
  });

  it('unlocks a PIN locked by 5 wrong tries; the user then pays', async () => {
    await createRoleAdmins(ctx());
    const { token, orderNo } = await ctx().newOrder();
    for (let i = 0; i < 5; i++) await ctx().call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '000000' });
    expect((await ctx().call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).body.code).toBe('ZF0110');
    const op = await signInAs(ctx(), 'op');
    const locked = (await op('GET', '/api/admin/users?locked=1')).body.items;
    expect(locked.map((u: { id: string }) => u.id)).toEqual([DEMO.users.zhangsan.id]);
    expect((await op('POST', `/api/admin/users/${DEMO.users.zhangsan.id}/unlock-pin`, { reason: '' })).body.code).toBe('ZF0010');
    expect((await op('POST', `/api/admin/users/${DEMO.users.zhangsan.id}/unlock-pin`, { reason: '本人来电，已核实身份' })).status).toBe(
      200,
    );
    const paid = await ctx().call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
    expect(paid.status).toBe(200);
  });

  it('insurer recharge writes one type 1 record per reference and mirrors it in the quota book', async () => {
    await createRoleAdmins(ctx());
    const fin = await signInAs(ctx(), 'fin');
    const a = await fin('POST', '/api/admin/insurers/PAIC/recharge', { amount: '200.50', reference: 'INS-1' });
    const b = await fin('POST', '/api/admin/insurers/PAIC/recharge', { amount: '200.50', reference: 'INS-1' });
    expect([a.body, b.body]).toEqual([
      { duplicate: false, remaining_fen: 30_050 },
      { duplicate: true, remaining_fen: 30_050 },
    ]);
    expect(await balanceOf(ctx().deps.db, Accounts.insurerQuota('PAIC'))).toBe(30_050);
    // Mirrored once (the quota book's key), not once by the book and again by the console; reconciliation is clean.
    const mirrors = await ctx()
      .deps.db.selectFrom('ledger_transfers')
      .select('idempotency_key')
      .where('to_account', '=', Accounts.insurerQuota('PAIC'))
      .execute();
    expect(mirrors.map((m) => m.idempotency_key).sort()).toEqual(['quota:recharge:admin:INS-1', 'quota:recharge:seed:PAIC']);
    expect((await reconcile(ctx().deps, { since: 0 })).differences).toEqual([]);
    // The console edits the quota book's one set of levels (quota_thresholds): a level already crossed raises once.
    await fin('PUT', '/api/admin/insurers/PAIC/warning', { warning_amount: '500.00' });
    await fin('PUT', '/api/admin/insurers/PAIC/warning', { warning_amount: '500.00' });
    const levels = await ctx()
      .deps.db.selectFrom('quota_thresholds')
      .select(['warning_fen', 'critical_fen'])
      .where('ic_code', '=', 'PAIC')
      .execute();
    expect(levels.map((l) => [Number(l.warning_fen), Number(l.critical_fen)])).toEqual([[50_000, 0]]);
    expect(
      (await ctx().deps.db.selectFrom('alerts').select('kind').where('dedupe_key', 'like', 'QUOTA_LOW:PAIC:%').execute()).map(
        (a) => a.kind,
      ),
    ).toEqual(['QUOTA_LOW_WARNING']);
    expect((await fin('PUT', '/api/admin/insurers/PAIC/warning', { warning_amount: '500.00', critical_amount: '600.00' })).body.code).toBe(
      'ZF0010',
    );
    const detail = await fin('GET', '/api/admin/insurers/PAIC');
    expect(detail.body).toMatchObject({
      quota: { yuan: '300.50' },
      held: { yuan: '0.00' },
      warning: { yuan: '500.00' },
      critical: { yuan: '0.00' },
      below_warning: true,
      below_critical: false,
    });
    expect(detail.body.records.filter((r: { type: number }) => r.type === 1)).toHaveLength(2);
    expect((await fin('GET', '/api/admin/overview')).body.insurers_below_warning.map((i: { ic_code: string }) => i.ic_code)).toEqual([
      'PAIC',
    ]);
    expect((await fin('POST', '/api/admin/insurers/NOPE/recharge', { amount: '1.00', reference: 'X-1' })).body.code).toBe('ZF0263');
    expect((await fin('POST', '/api/admin/insurers/PAIC/recharge', { amount: '1.001', reference: 'X-1' })).body.code).toBe('ZF0010');
    // A reference reused for another amount or insurer moves nothing.
    expect((await fin('POST', '/api/admin/insurers/PAIC/recharge', { amount: '9.00', reference: 'INS-1' })).body.code).toBe('ZF0267');
    expect((await fin('POST', '/api/admin/insurers/PICC/recharge', { amount: '200.50', reference: 'INS-1' })).body.code).toBe('ZF0267');
    expect(await balanceOf(ctx().deps.db, Accounts.insurerQuota('PAIC'))).toBe(30_050);
  });
});
