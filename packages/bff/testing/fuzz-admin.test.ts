// Fuzzing the admin, refund and partner routes (issue 12) with fast-check: the admin console API under every role's
// signed-in token, a wallet token, tampered and junk tokens, and none; the partner server API (orders, refunds) with
// correctly signed requests, a wrong secret, a body changed after signing, a stale timestamp, a replayed nonce and no
// signature; bodies from the zod schemas (valid and near-valid) and far beyond them. Every answer < 500 with a
// documented code and its catalogue status; every refusal leaves the database as it was (money, orders, refunds,
// partners, admins' sessions and audit, alerts, tasks, quota levels, PIN states). Accepted changes (a finance admin's
// recharge, a partner's refund) are money the harness checks balances after the run.
import { ERROR_CATALOGUE, isErrorCode } from '@zf/shared';
import { partnerRequestHeaders } from '@zf/shared/partner';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { createRoleAdmins, signInAs } from './admin.ts';
import { partnerCall } from './partner-api.ts';
import { describeEachDatabase, snapshot, type TestContext } from './harness.ts';

const RUNS = { sqlite: Number(process.env.FUZZ_ADMIN_RUNS_SQLITE ?? 3_000), mariadb: Number(process.env.FUZZ_ADMIN_RUNS_MARIADB ?? 300) };
const HIGH = '1000000/60';

type Fx = { orderNo: string; tokens: Record<'viewer' | 'operator' | 'finance' | 'wallet', string>; alertId: string; eventId: string };
type AdminAuth = 'none' | 'viewer' | 'operator' | 'finance' | 'wallet' | 'tampered' | 'junk';
type PartnerAuth = 'signed' | 'unsigned' | 'wrong-secret' | 'tampered-body' | 'stale' | 'replayed';
interface Case {
  kind: 'admin' | 'partner';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  auth: AdminAuth | PartnerAuth;
  body: string | null;
}

const junk = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom('', ' ', '%00', '../x', "' OR 1=1 --", '<b>x</b>', '\u0000', '9'.repeat(300), '-1', '1e309', 'NaN', '１２３'),
);
const yuan = fc.oneof(fc.constantFrom('0.01', '1.00', '20.00', '100.00', '100.01', '0', '999999999.99', '1.234', '-5'), junk);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const body = (record: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: record.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
  );
const rec = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, maybe(v)])), { requiredKeys: [] });
const id = (fixture: string) =>
  fc.oneof(
    fc.constant(fixture),
    junk.map((s) => encodeURIComponent(s) || 'x'),
  );

function adminCases(): fc.Arbitrary<Omit<Case, 'kind' | 'auth'>> {
  const get = (path: fc.Arbitrary<string>) => fc.record({ method: fc.constant('GET' as const), path, body: fc.constant(null) });
  const post = (path: fc.Arbitrary<string>, b: fc.Arbitrary<string | null>, method: 'POST' | 'PUT' = 'POST') =>
    fc.record({ method: fc.constant(method), path, body: b });
  const query = fc
    .dictionary(fc.constantFrom('status', 'kind', 'q', 'from', 'to', 'limit', 'offset', 'partner_id', 'actor', 'action', 'target'), junk, {
      maxKeys: 3,
    })
    .map((d) => (Object.keys(d).length ? `?${new URLSearchParams(d).toString()}` : ''));
  return fc.oneof(
    get(
      fc
        .tuple(
          fc.constantFrom(
            'overview',
            'alerts',
            'audit',
            'callbacks',
            'clearing/tasks',
            'insurers',
            'ledger',
            'orders',
            'partners',
            'users',
            'session',
            'reconcile/runs',
          ),
          query,
        )
        .map(([p, q]) => `/api/admin/${p}${q}`),
    ),
    get(id('@order').map((o) => `/api/admin/orders/${o}`)),
    get(id('PICC').map((ic) => `/api/admin/insurers/${ic}`)),
    get(id('RC-none').map((r) => `/api/admin/reconcile/runs/${r}`)),
    post(
      fc.constant('/api/admin/session'),
      body(rec({ username: fc.constantFrom('admin', 'op', 'fin', 'view', 'ghost'), password: junk })),
    ),
    post(
      id('@alert').map((a) => `/api/admin/alerts/${a}/acknowledge`),
      fc.constant(null),
    ),
    post(
      id('@alert').map((a) => `/api/admin/alerts/${a}/resolve`),
      body(rec({ note: junk })),
    ),
    post(
      id('@event').map((e) => `/api/admin/callbacks/${e}/replay`),
      fc.constant(null),
    ),
    post(fc.constant('/api/admin/clearing/recharge'), body(rec({ amount: yuan, reference: fc.oneof(fc.constant('FUZZ-REF-1'), junk) }))),
    post(
      id('CT-none').map((t) => `/api/admin/clearing/tasks/${t}/complete`),
      fc.constant(null),
    ),
    post(
      id('PICC').map((ic) => `/api/admin/insurers/${ic}/recharge`),
      body(rec({ amount: yuan, reference: fc.oneof(fc.constant('FUZZ-QR-1'), junk) })),
    ),
    post(
      id('PICC').map((ic) => `/api/admin/insurers/${ic}/warning`),
      body(rec({ warning_amount: yuan, critical_amount: yuan })),
      'PUT',
    ),
    post(
      fc.constant('/api/admin/partners'),
      body(rec({ id: fc.oneof(fc.constant('fuzz-partner'), junk), name: junk, callback_hosts: fc.array(junk, { maxLength: 3 }) })),
    ),
    post(
      fc
        .tuple(id(DEMO.partnerId), fc.constantFrom('disable', 'enable', 'rotate', 'callbacks/test', 'callbacks/replay-dead'))
        .map(([p, a]) => `/api/admin/partners/${p}/${a}`),
      fc.constant(null),
    ),
    post(
      id(DEMO.partnerId).map((p) => `/api/admin/partners/${p}/hosts`),
      body(rec({ callback_hosts: fc.array(fc.oneof(fc.constantFrom('127.0.0.1:*', 'partner.example.com'), junk), { maxLength: 3 }) })),
      'PUT',
    ),
    post(
      id(DEMO.users.zhangsan.id).map((u) => `/api/admin/users/${u}/unlock-pin`),
      fc.constant(null),
    ),
  );
}

function partnerCases(): fc.Arbitrary<Omit<Case, 'kind' | 'auth'>> {
  return fc.oneof(
    fc.record({
      method: fc.constant('GET' as const),
      path: fc
        .oneof(fc.constant('REF-FUZZ-ADMIN'), junk)
        .map((r) => `/api/partner/v1/orders?${new URLSearchParams({ refer_no: r }).toString()}`),
      body: fc.constant(null),
    }),
    fc.record({
      method: fc.constant('GET' as const),
      path: id('@order').map((o) => `/api/partner/v1/orders/${o}`),
      body: fc.constant(null),
    }),
    fc.record({
      method: fc.constant('GET' as const),
      path: id('R-FUZZ-1').map((r) => `/api/partner/v1/refunds/${r}`),
      body: fc.constant(null),
    }),
    fc.record({
      method: fc.constant('POST' as const),
      path: fc.constant('/api/partner/v1/refunds'),
      body: body(
        rec({
          order_no: fc.oneof(fc.constant('@order'), junk),
          partner_refund_no: fc.oneof(fc.constantFrom('R-FUZZ-1', 'R-FUZZ-2'), junk),
          amount: yuan,
          reason: junk,
        }),
      ),
    }),
  );
}

const arbitrary: fc.Arbitrary<Case> = fc
  .oneof(
    fc.record({
      kind: fc.constant('admin' as const),
      auth: fc.constantFrom<AdminAuth>('none', 'viewer', 'operator', 'finance', 'finance', 'wallet', 'tampered', 'junk'),
      req: adminCases(),
    }),
    fc.record({
      kind: fc.constant('partner' as const),
      auth: fc.constantFrom<PartnerAuth>('signed', 'signed', 'signed', 'unsigned', 'wrong-secret', 'tampered-body', 'stale', 'replayed'),
      req: partnerCases(),
    }),
  )
  .map(({ kind, auth, req }) => ({ kind, auth, ...req }));

/** Everything the admin and partner routes could change, beyond the harness's snapshot. */
async function wideSnapshot(ctx: TestContext): Promise<string> {
  const { db } = ctx.deps;
  const count = async (t: 'audit_log' | 'admin_sessions' | 'alert_pushes') =>
    Number(
      (
        await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return JSON.stringify({
    base: await snapshot(ctx),
    refunds: await db.selectFrom('refunds').select(['refund_no', 'status', 'amount_fen']).orderBy('refund_no').execute(),
    partners: await db.selectFrom('partners').selectAll().orderBy('id').execute(),
    alerts: await db.selectFrom('alerts').select(['id', 'status']).orderBy('id').execute(),
    tasks: await db.selectFrom('clearing_tasks').selectAll().orderBy('id').execute(),
    thresholds: await db.selectFrom('quota_thresholds').selectAll().orderBy('ic_code').execute(),
    users: await db.selectFrom('users').select(['id', 'pin_failed', 'pin_locked_at']).orderBy('id').execute(),
    callbacks: await db.selectFrom('callback_events').select(['id', 'status', 'attempts']).orderBy('id').execute(),
    counts: { audit: await count('audit_log'), sessions: await count('admin_sessions'), pushes: await count('alert_pushes') },
  });
}

let nonce = 0;
/** Used once before the run: every request carrying it again is a replay. */
const REPLAYED_NONCE = 'fuzz-nonce-replayed-0001';
async function send(ctx: TestContext, fx: Fx, c: Case): Promise<{ status: number; text: string }> {
  const path = c.path.replaceAll('@order', fx.orderNo).replaceAll('@alert', fx.alertId).replaceAll('@event', fx.eventId);
  const payload = c.body === null ? null : c.body.replaceAll('@order', fx.orderNo);
  const headers: Record<string, string> = payload === null ? {} : { 'content-type': 'application/json' };
  if (c.kind === 'admin') {
    const a = c.auth as AdminAuth;
    if (a === 'viewer' || a === 'operator' || a === 'finance' || a === 'wallet') headers['x-admin-token'] = fx.tokens[a];
    if (a === 'tampered') headers['x-admin-token'] = `${fx.tokens.finance.slice(0, -1)}${fx.tokens.finance.endsWith('A') ? 'B' : 'A'}`;
    if (a === 'junk') headers['x-admin-token'] = 'zfa_x';
  } else {
    const a = c.auth as PartnerAuth;
    const signedBody = payload ?? '';
    const now = Math.floor(ctx.clock.now() / 1000);
    const n = a === 'replayed' ? REPLAYED_NONCE : `fuzz-nonce-${String(++nonce).padStart(8, '0')}`;
    const signed = partnerRequestHeaders(
      DEMO.partnerId,
      a === 'wrong-secret' ? 'not-the-secret' : DEMO.apiSecret,
      { method: c.method, path, body: signedBody },
      a === 'stale' ? now - 3_600 : now,
      n,
    );
    if (a !== 'unsigned') Object.assign(headers, signed);
  }
  // Changed after signing: the body, or for a GET the query.
  const tampered = c.kind === 'partner' && c.auth === 'tampered-body';
  const sent = tampered && payload !== null ? `${payload} ` : payload;
  const target = tampered && c.method === 'GET' ? `${path}${path.includes('?') ? '&' : '?'}t=1` : path;
  const res = await ctx.app.request(target, { method: c.method, headers, body: c.method === 'GET' ? undefined : sent });
  return { status: res.status, text: await res.text() };
}

describeEachDatabase(
  'fuzzing the admin, refund and partner routes',
  (get) => {
    it('answers every fuzzed request below 500 with a documented code, and no refusal changes the database', async () => {
      const ctx = get();
      await createRoleAdmins(ctx);
      const { token, orderNo } = await ctx.newOrder({ refer_no: 'REF-FUZZ-ADMIN' });
      expect((await ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).status).toBe(200);
      const tokens = {
        viewer: (await signInAs(ctx, 'view')).token,
        operator: (await signInAs(ctx, 'op')).token,
        finance: (await signInAs(ctx, 'fin')).token,
        wallet: token,
      };
      const alert = await ctx.deps.db.selectFrom('alerts').select('id').executeTakeFirst();
      const event = await ctx.deps.db.selectFrom('callback_events').select('id').executeTakeFirstOrThrow();
      expect(
        (await partnerCall(ctx.app, ctx.clock.now(), 'GET', `/api/partner/v1/orders/${orderNo}`, undefined, { nonce: REPLAYED_NONCE }))
          .status,
      ).toBe(200);
      const fx: Fx = { orderNo, tokens, alertId: alert?.id ?? 'AL-none', eventId: event.id };
      let current = await wideSnapshot(ctx);
      let cases = 0;
      let refusals = 0;
      const byKind = { admin: 0, partner: 0 };
      await fc.assert(
        fc.asyncProperty(arbitrary, async (c) => {
          cases++;
          byKind[c.kind]++;
          const { status, text } = await send(ctx, fx, c);
          const where = `${c.kind}/${c.auth} ${c.method} ${c.path} ${c.body?.slice(0, 80) ?? ''} → ${status} ${text.slice(0, 200)}`;
          expect(status, where).toBeLessThan(500);
          const answer = JSON.parse(text) as { code?: string };
          if (status >= 400) {
            expect(isErrorCode(answer.code), where).toBe(true);
            expect(ERROR_CATALOGUE[answer.code as keyof typeof ERROR_CATALOGUE].status, where).toBe(status);
          }
          const after = await wideSnapshot(ctx);
          if (status >= 400) {
            refusals++;
            expect(after, `${where} changed the database`).toBe(current);
          }
          current = after;
        }),
        { numRuns: RUNS[ctx.db], seed: Number(process.env.FUZZ_SEED ?? 20261202), endOnFailure: true },
      );
      console.log(
        `[fuzz-admin ${ctx.db}] ${cases} cases (${byKind.admin} admin, ${byKind.partner} partner/refund), ${refusals} refusals, ${cases - refusals} accepted; 0 answers ≥ 500`,
      );
      expect(cases).toBe(RUNS[ctx.db]);
    }, 600_000);
  },
  Object.fromEntries(
    [
      'SESSION_PER_IP',
      'SESSION_PER_PARTNER',
      'PIN_PER_USER',
      'PIN_PER_IP',
      'ORDER_PER_SESSION',
      'NOTIFY_PER_IP',
      'ADMIN_SIGNIN_PER_USER',
      'ADMIN_SIGNIN_PER_IP',
    ].map((n) => [`RATE_LIMIT_${n}`, HIGH]),
  ),
);
