// "Retry" from the console for a card refund the bank refused, against the Payzero simulator over real HTTP: the
// retry asks under a new provider refund number, takes the money from the merchant again and, when the bank then
// accepts, ends as for any refund. Money and quota records checked after each step.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { auditCount, createRoleAdmins, TEST_PASSWORD } from '../../../testing/admin.ts';
import { startCardPayEnv, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { refundProviders } from '../refund/refund.integration.ts';
import { progressRefunds } from '../refund/refund.service.ts';

const waitFor = <T>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 5_000, interval: 20 });
const MERCHANT = Accounts.merchant(DEMO.partnerId);

/** Signs in over HTTP to the env's BFF and returns a caller with the admin token. */
async function signInOver(env: CardPayEnv, username: string) {
  const send = async (method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers['x-admin-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${env.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const session = await send('POST', '/api/admin/session', { username, password: TEST_PASSWORD });
  expect(session.status).toBe(201);
  return (method: string, path: string, body?: unknown) => send(method, path, body, session.body.token as string);
}

const refundStatus = async (ctx: TestContext, no: string) =>
  (await ctx.deps.db.selectFrom('refunds').select('status').where('refund_no', '=', no).executeTakeFirstOrThrow()).status;

describeEachDatabase('admin console: retrying a failed card refund', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });

  async function settle(ctx: TestContext, refundNo: string) {
    await waitFor(async () => {
      ctx.clock.advance(60_000);
      await progressRefunds(env.deps, refundProviders(env.deps));
      expect(['succeeded', 'failed']).toContain(await refundStatus(ctx, refundNo));
    });
    return refundStatus(ctx, refundNo);
  }

  it('a refused refund is retried under a new provider number; the split is taken again after a refund made meanwhile', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const { token, orderNo } = await env.newOrder();
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(
      202,
    );
    await waitFor(async () =>
      expect(
        (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status,
      ).toBe('settled'),
    );
    // The console over real HTTP to the app whose Payzero client points at the simulator.
    const fin = await signInOver(env, 'fin');
    const op = await signInOver(env, 'op');
    // 50.64 → insurer 40.51 + self-pay 10.13, which the simulator's bank refuses.
    const res = await fin('POST', `/api/admin/orders/${orderNo}/refunds`, { amount: '50.64', reason: '取消处方', refund_no: 'ADM-C-0001' });
    expect(res.body.refund).toMatchObject({ status: 'submitted', self_pay: { fen: 1013 }, provider_status: 'REFUND_REQUESTED' });
    const refundNo = res.body.refund.refund_no as string;
    expect(await settle(ctx, refundNo)).toBe('failed');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000);
    expect((await fin('GET', '/api/admin/refunds?status=failed')).body.items).toMatchObject([
      { refund_no: refundNo, provider_status: 'REFUND_FAILED' },
    ]);
    expect((await op('POST', `/api/admin/refunds/${refundNo}/retry`)).body.code).toBe('ZF0261');

    // Retried as it is: a new refund `retry:<no>` of the same amount (a double click retries once); the bank refuses
    // again, under a second refund number at Payzero; the money is back each time.
    const audits = await auditCount(ctx);
    const [retry1, dup] = [
      await fin('POST', `/api/admin/refunds/${refundNo}/retry`),
      await fin('POST', `/api/admin/refunds/${refundNo}/retry`),
    ];
    const retryNo = retry1.body.refund.refund_no as string;
    expect(retry1.body.refund).toMatchObject({ partner_refund_no: `retry:${refundNo}`, status: 'submitted', amount: { fen: 5064 } });
    expect(dup.body.refund.refund_no).toBe(retryNo);
    expect(retryNo).not.toBe(refundNo);
    expect(await auditCount(ctx)).toBe(audits + 1);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000 - 5_064);
    expect(await settle(ctx, retryNo)).toBe('failed');
    expect(env.sim.refunds.size).toBe(2);
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen - 8_000);

    // A partner refund of 0.01 meanwhile: the next retry's split is taken after it (insurer 40.52 + self-pay 10.12, which goes through).
    const small = await partnerCall(env.url, ctx.clock.now(), 'POST', '/api/partner/v1/refunds', {
      order_no: orderNo,
      partner_refund_no: 'P-0001',
      amount: '0.01',
    });
    expect(await settle(ctx, small.body.refund.refund_no)).toBe('succeeded');
    const retry2 = await fin('POST', `/api/admin/refunds/${retryNo}/retry`);
    expect(retry2.body.refund).toMatchObject({ partner_refund_no: `retry:${retryNo}`, insurer: { fen: 4052 }, self_pay: { fen: 1012 } });
    expect(await settle(ctx, retry2.body.refund.refund_no)).toBe('succeeded');
    expect(await balanceOf(ctx.deps.db, MERCHANT)).toBe(10_000 - 1 - 5_064);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(DEMO.quota.PICC.rechargeFen - 8_000 + 4_052);
    expect(await auditCount(ctx)).toBe(audits + 2);
    expect((await fin('POST', `/api/admin/refunds/${retry2.body.refund.refund_no}/retry`)).body.code).toBe('ZF0228');
    // More than is left is refused on retry too (nothing left to refund beyond 100.00 − 0.01 − 50.64).
    expect(
      (await fin('POST', `/api/admin/orders/${orderNo}/refunds`, { amount: '49.36', reason: '再退', refund_no: 'ADM-C-0002' })).body.code,
    ).toBe('ZF0223');
  });
});
