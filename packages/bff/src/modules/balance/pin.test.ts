// The payment PIN through the API, on SQLite and MariaDB: tries counted before the check (parallel guesses cannot
// pass the limit), the lock and its end at the cashier, and the move from scrypt (or an old key) to the current key.
import { expect, it } from 'vitest';
import { hashPin } from '../../lib/pin-hash.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { attemptsOf, describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';

const USER = DEMO.users.zhangsan.id;
const LOCK_MINUTES = 10;
const MAX_TRIES = 5;

function pay(ctx: TestContext, token: string, orderNo: string, pin: string) {
  return ctx.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin });
}

function pinRow(ctx: TestContext) {
  return ctx.deps.db
    .selectFrom('users')
    .select(['pin_hash', 'pin_failed', 'pin_locked_at'])
    .where('id', '=', USER)
    .executeTakeFirstOrThrow();
}

function codes(results: Array<{ status: number; body: { code?: string } }>): Record<string, number> {
  const count: Record<string, number> = {};
  for (const r of results) count[`${r.status} ${r.body.code ?? 'ok'}`] = (count[`${r.status} ${r.body.code ?? 'ok'}`] ?? 0) + 1;
  return count;
}

describeEachDatabase(
  'payment PIN',
  (get) => {
    it('checks at most the limit of 50 parallel wrong PINs, then refuses the right one: locked, nothing paid', async () => {
      const ctx = get();
      const { token, orderNo } = await ctx.newOrder();
      const before = await snapshot(ctx);
      const results = await Promise.all(Array.from({ length: 50 }, () => pay(ctx, token, orderNo, '000000')));
      // Each answer is "wrong, n left" or "locked"; the tries are claimed before any check, so the claim reaching the
      // limit may lock before the first verdicts, and those answer "locked" too.
      const counted = codes(results);
      expect(Object.keys(counted).filter((k) => k !== '402 ZF0090' && k !== '423 ZF0110')).toEqual([]);
      expect(counted['402 ZF0090'] ?? 0).toBeLessThanOrEqual(MAX_TRIES - 1);
      expect(results.filter((r) => r.status === 402).every((r) => r.body.reason === 'wrong_pin')).toBe(true);
      const row = await pinRow(ctx);
      expect(Number(row.pin_failed)).toBe(MAX_TRIES);
      expect(row.pin_locked_at).not.toBeNull();

      const right = await pay(ctx, token, orderNo, DEMO.pin);
      expect(right.body.code).toBe('ZF0110');
      expect(Number((await pinRow(ctx)).pin_failed)).toBe(MAX_TRIES);
      expect(await snapshot(ctx)).toBe(before);
    });

    it('does not pay a right PIN sent among parallel wrong ones once they have used up the tries', async () => {
      const ctx = get();
      const { token, orderNo } = await ctx.newOrder();
      const before = await snapshot(ctx);
      const wrong = Array.from({ length: 30 }, () => pay(ctx, token, orderNo, '000000'));
      const right = pay(ctx, token, orderNo, DEMO.pin);
      const results = await Promise.all([...wrong, right]);
      expect(results.at(-1)?.body.code).toBe('ZF0110');
      expect(results.filter((r) => r.status === 200)).toHaveLength(0);
      expect(Number((await pinRow(ctx)).pin_failed)).toBe(MAX_TRIES);
      expect(await snapshot(ctx)).toBe(before);
      expect(await attemptsOf(ctx, orderNo)).toEqual([]);
    });

    it("pays every one of a user's parallel payments with the right PIN: right tries never use up the limit", async () => {
      const ctx = get();
      const orders = [];
      for (let i = 0; i < 3 * MAX_TRIES; i++) orders.push(await ctx.newOrder({ refer_no: `REF-PAR-${i}`, amout: '1.00' }));
      const results = await Promise.all(orders.map((o) => pay(ctx, o.token, o.orderNo, DEMO.pin)));
      expect(codes(results)).toEqual({ '200 ok': 3 * MAX_TRIES });
      expect(await pinRow(ctx)).toMatchObject({ pin_failed: 0, pin_locked_at: null });
    });

    it('refuses every PIN sent in parallel at a locked PIN, the right one too', async () => {
      const ctx = get();
      const { token, orderNo } = await ctx.newOrder();
      for (let i = 0; i < MAX_TRIES; i++) await pay(ctx, token, orderNo, '111111');
      const before = await snapshot(ctx);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => pay(ctx, token, orderNo, '000000')),
        pay(ctx, token, orderNo, DEMO.pin),
      ]);
      expect(codes(results)).toEqual({ '423 ZF0110': 11 });
      expect(await snapshot(ctx)).toBe(before);
    });

    it('resets the count on a right PIN, so the tries left start again', async () => {
      const ctx = get();
      const first = await ctx.newOrder();
      for (let i = 0; i < MAX_TRIES - 1; i++)
        expect((await pay(ctx, first.token, first.orderNo, '000000')).body.remaining_tries).toBe(MAX_TRIES - 1 - i);
      expect((await pay(ctx, first.token, first.orderNo, DEMO.pin)).status).toBe(200);
      expect(Number((await pinRow(ctx)).pin_failed)).toBe(0);
      const second = await ctx.newOrder({ refer_no: 'REF-002' });
      expect((await pay(ctx, second.token, second.orderNo, '000000')).body).toMatchObject({
        code: 'ZF0090',
        remaining_tries: MAX_TRIES - 1,
      });
    });

    it(`unlocks after PIN_LOCK_MINUTES (${LOCK_MINUTES}); the cashier shows the lock, when it ends, and no balance pay until then`, async () => {
      const ctx = get();
      const { token, orderNo } = await ctx.newOrder();
      const lockedAt = ctx.clock.now();
      for (let i = 0; i < MAX_TRIES; i++) await pay(ctx, token, orderNo, '000000');
      const until = new Date(lockedAt + LOCK_MINUTES * 60_000).toISOString();

      const cashier = async () => {
        const res = await ctx.call('GET', `/api/orders/${orderNo}/cashier`, token);
        expect(res.status).toBe(200);
        return {
          pin_locked: res.body.pin_locked,
          pin_locked_until: res.body.pin_locked_until,
          balance: res.body.methods.find((m: { method: string }) => m.method === 'balance'),
        };
      };
      expect(await cashier()).toMatchObject({
        pin_locked: true,
        pin_locked_until: until,
        balance: { enabled: false, note: '支付密码错误次数过多，已锁定' },
      });

      ctx.clock.advance(LOCK_MINUTES * 60_000 - 1);
      expect(await cashier()).toMatchObject({ pin_locked: true, pin_locked_until: until, balance: { enabled: false } });
      expect((await pay(ctx, token, orderNo, DEMO.pin)).body.code).toBe('ZF0110');

      ctx.clock.advance(1);
      expect(await cashier()).toMatchObject({ pin_locked: false, pin_locked_until: null, balance: { enabled: true, note: null } });
      // The tries start again from zero: a wrong PIN has MAX_TRIES − 1 left, the right one pays.
      expect((await pay(ctx, token, orderNo, '000000')).body).toMatchObject({ code: 'ZF0090', remaining_tries: MAX_TRIES - 1 });
      const paid = await pay(ctx, token, orderNo, DEMO.pin);
      expect(paid.status).toBe(200);
      expect(paid.body.order).toMatchObject({ status: 'settled', display: 'paid' });
      expect(await pinRow(ctx)).toMatchObject({ pin_failed: 0, pin_locked_at: null });
    });

    it('locks (with an end) a user already past a lowered PIN_MAX_TRIES', async () => {
      const ctx = get();
      const { token, orderNo } = await ctx.newOrder();
      await ctx.deps.db
        .updateTable('users')
        .set({ pin_failed: MAX_TRIES + 2, pin_locked_at: null })
        .where('id', '=', USER)
        .execute();
      expect((await pay(ctx, token, orderNo, DEMO.pin)).body.code).toBe('ZF0110');
      expect(Number((await pinRow(ctx)).pin_locked_at)).toBe(ctx.clock.now());
      ctx.clock.advance(LOCK_MINUTES * 60_000);
      expect((await pay(ctx, token, orderNo, DEMO.pin)).status).toBe(200);
    });

    it('upgrades a stored scrypt hash to the keyed hash on the next right PIN, and not on a wrong one', async () => {
      const ctx = get();
      const legacy = await hashSecret(DEMO.pin);
      await ctx.deps.db.updateTable('users').set({ pin_hash: legacy }).where('id', '=', USER).execute();
      const first = await ctx.newOrder();
      expect((await pay(ctx, first.token, first.orderNo, '000000')).body).toMatchObject({ code: 'ZF0090', remaining_tries: MAX_TRIES - 1 });
      expect((await pinRow(ctx)).pin_hash).toBe(legacy);

      expect((await pay(ctx, first.token, first.orderNo, DEMO.pin)).status).toBe(200);
      const upgraded = await pinRow(ctx);
      expect(upgraded.pin_hash).toMatch(/^hmac\$dev\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
      expect(Number(upgraded.pin_failed)).toBe(0);

      // The keyed hash now carries the PIN: the next order pays with it, a wrong PIN is still wrong.
      const second = await ctx.newOrder({ refer_no: 'REF-002' });
      expect((await pay(ctx, second.token, second.orderNo, '654321')).body.code).toBe('ZF0090');
      expect((await pay(ctx, second.token, second.orderNo, DEMO.pin)).status).toBe(200);
      expect((await pinRow(ctx)).pin_hash).toBe(upgraded.pin_hash);
    });
  },
  // The abuse limits on PIN attempts (modules/ratelimit, tested there) would answer ZF0120 first in these bursts.
  { PIN_LOCK_MINUTES: String(LOCK_MINUTES), RATE_LIMIT_PIN_PER_USER: '1000/900', RATE_LIMIT_PIN_PER_IP: '1000/900' },
);

describeEachDatabase(
  'payment PIN key rotation',
  (get) => {
    it('seeds under the current key and moves a hash under the old key to it on the next right PIN', async () => {
      const ctx = get();
      expect((await pinRow(ctx)).pin_hash).toMatch(/^hmac\$k2\$/);
      const underOld = hashPin({ keyId: 'dev', keys: ctx.deps.config.pin.keys }, DEMO.pin);
      await ctx.deps.db.updateTable('users').set({ pin_hash: underOld }).where('id', '=', USER).execute();
      const { token, orderNo } = await ctx.newOrder();
      expect((await pay(ctx, token, orderNo, DEMO.pin)).status).toBe(200);
      expect((await pinRow(ctx)).pin_hash).toMatch(/^hmac\$k2\$/);
    });
  },
  { PIN_KEYS: `k2:${'r'.repeat(40)},dev:dev-pin-key-change-me-not-for-production`, PIN_KEY_ID: 'k2' },
);
