// Second factors for a phone user (issue 13 defect 5), on SQLite and MariaDB against the Payzero simulator over real
// HTTP: every card payment needs the payment PIN; a user without a PIN sets one (twice, plus an SMS code to a bound
// card's phone), a forgotten or locked one is reset the same way; a card is not removed under a payment in flight;
// a card the bank just declined is not the default any more.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { attemptsOf, describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { startCardPayEnv, TEST_CARDS, TEST_SMS_CODE, type CardPayEnv } from '../../../testing/card-pay-env.ts';
import { DEMO } from '../demo/demo.seed.ts';

const waitFor = <T>(fn: () => T | Promise<T>, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 10 });

async function orderStatus(ctx: TestContext, orderNo: string): Promise<string> {
  return (await ctx.deps.db.selectFrom('orders').select('status').where('order_no', '=', orderNo).executeTakeFirstOrThrow()).status;
}

describeEachDatabase('second factors: card PIN, setting and resetting the PIN, removing cards, the default card', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });

  it('refuses a card payment without the PIN (ZF0010) or with a wrong one (ZF0090 wrong_pin, tries left), changing nothing; the right PIN pays', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const before = await snapshot(ctx);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001' })).body.code).toBe('ZF0010');
    const wrong = await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: '654321' });
    expect(wrong.status).toBe(402);
    expect(wrong.body).toMatchObject({ code: 'ZF0090', reason: 'wrong_pin', remaining_tries: 4 });
    expect(await snapshot(ctx)).toBe(before);
    expect(env.sim.orders.size).toBe(0); // nothing reached Payzero
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(
      202,
    );
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
  });

  it('a user with no PIN is told so (ZF0203), binds a card by SMS, sets the PIN twice + SMS code at the cashier, then pays by card with it', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder({ claim_no: DEMO.users.sunqi.claimNo, refer_no: 'REF-SUN' }, 'POL-PICC-005');
    const cashier = await env.call('GET', `/api/orders/${orderNo}/cashier`, token);
    expect(cashier.body).toMatchObject({ pin_set: false, pin_locked: false, pending_trip: null });
    const cardId = await env.bindCard(token, TEST_CARDS.paid, { holder_name: '孙七' });
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '246810' })).body.code).toBe('ZF0203');

    const sms = await env.call('POST', '/api/pin/sms', token, { card_id: cardId });
    expect(sms.status).toBe(202);
    expect(sms.body).toEqual({
      challenge_id: expect.stringMatching(/^PINSMS/),
      phone_masked: '138****8000',
      expires_at: expect.any(String),
    });
    const challenge = sms.body.challenge_id as string;
    // The two entries differ: refused before the code is even checked (no try used).
    expect(
      (await env.call('PUT', '/api/pin', token, { challenge_id: challenge, sms_code: TEST_SMS_CODE, pin: '246810', pin_confirm: '246811' }))
        .body.code,
    ).toBe('ZF0204');
    expect(
      (await env.call('PUT', '/api/pin', token, { challenge_id: challenge, sms_code: '999999', pin: '246810', pin_confirm: '246810' }))
        .body,
    ).toMatchObject({ code: 'ZF0201', remaining_tries: 2 });
    const user = () =>
      ctx.deps.db
        .selectFrom('users')
        .select(['pin_hash', 'pin_failed', 'pin_locked_at'])
        .where('id', '=', DEMO.users.sunqi.id)
        .executeTakeFirstOrThrow();
    expect((await user()).pin_hash).toBeNull();
    const set = await env.call('PUT', '/api/pin', token, {
      challenge_id: challenge,
      sms_code: TEST_SMS_CODE,
      pin: '246810',
      pin_confirm: '246810',
    });
    expect(set).toEqual({ status: 200, body: { pin_set: true } });
    expect((await user()).pin_hash).toMatch(/^hmac\$/);
    expect((await user()).pin_hash).not.toContain('246810');
    // The challenge is used up.
    expect(
      (await env.call('PUT', '/api/pin', token, { challenge_id: challenge, sms_code: TEST_SMS_CODE, pin: '135790', pin_confirm: '135790' }))
        .body.code,
    ).toBe('ZF0202');
    expect((await env.call('GET', `/api/orders/${orderNo}/cashier`, token)).body.pin_set).toBe(true);

    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '246810' })).status).toBe(202);
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
  });

  it('resets a forgotten PIN the same way, which also clears the lock; only with a card of this user', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    for (let i = 0; i < 5; i++) await env.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '000000' });
    expect((await env.call('GET', `/api/orders/${orderNo}/cashier`, token)).body.pin_locked).toBe(true);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).body.code).toBe(
      'ZF0110',
    );

    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    expect((await env.call('POST', '/api/pin/sms', wang.token, { card_id: 'CARD-DEMO-001' })).body.code).toBe('ZF0206');
    const sms = await env.call('POST', '/api/pin/sms', token, { card_id: 'CARD-DEMO-001' });
    // Another user cannot use my challenge.
    expect(
      (
        await env.call('PUT', '/api/pin', wang.token, {
          challenge_id: sms.body.challenge_id,
          sms_code: TEST_SMS_CODE,
          pin: '112233',
          pin_confirm: '112233',
        })
      ).body.code,
    ).toBe('ZF0202');
    expect(
      (
        await env.call('PUT', '/api/pin', token, {
          challenge_id: sms.body.challenge_id,
          sms_code: TEST_SMS_CODE,
          pin: '112233',
          pin_confirm: '112233',
        })
      ).status,
    ).toBe(200);
    const row = await ctx.deps.db
      .selectFrom('users')
      .select(['pin_failed', 'pin_locked_at'])
      .where('id', '=', DEMO.users.zhangsan.id)
      .executeTakeFirstOrThrow();
    expect({ failed: Number(row.pin_failed), locked: row.pin_locked_at }).toEqual({ failed: 0, locked: null });
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin })).body).toMatchObject({
      code: 'ZF0090',
      reason: 'wrong_pin',
    });
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: '112233' })).status).toBe(200);
  });

  it('refuses to remove a card while its payment waits for the bank (ZF0205); removes it once the result is in', async () => {
    const ctx = get();
    env.sim.setCardBehaviour('0000', { outcome: 'succeed', delayMs: 3_000 });
    const { token, orderNo } = await env.newOrder();
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(
      202,
    );
    const refused = await env.call('DELETE', '/api/cards/CARD-DEMO-001', token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ZF0205');
    expect((await env.call('GET', '/api/cards', token)).body.cards).toHaveLength(1);
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect((await env.call('DELETE', '/api/cards/CARD-DEMO-001', token)).status).toBe(204);
    expect((await env.call('GET', '/api/cards', token)).body.cards).toEqual([]);
    // The paid attempt still names its card.
    expect((await attemptsOf(ctx, orderNo))[0]?.card_id).toBe('CARD-DEMO-001');
  });

  it('after a decline the declined card is listed last and flagged; after a success that card comes first', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    ctx.clock.advance(1000);
    const declined = await env.bindCard(token, TEST_CARDS.declined);
    const order = (await env.call('GET', '/api/cards', token)).body.cards.map((c: { id: string }) => c.id);
    expect(order).toEqual([declined, 'CARD-DEMO-001']); // newest first while neither has paid
    await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: declined, pin: DEMO.pin });
    await waitFor(async () => expect((await attemptsOf(ctx, orderNo))[0]?.status).toBe('failed'));
    const after = (await env.call('GET', '/api/cards', token)).body.cards;
    expect(after.map((c: { id: string; last_declined: boolean }) => [c.id, c.last_declined])).toEqual([
      ['CARD-DEMO-001', false],
      [declined, true],
    ]);
    ctx.clock.advance(1000);
    const newest = await env.bindCard(token, TEST_CARDS.slow);
    const ids = async () => (await env.call('GET', '/api/cards', token)).body.cards.map((c: { id: string }) => c.id);
    expect(await ids()).toEqual([newest, 'CARD-DEMO-001', declined]);
    ctx.clock.advance(1000);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: 'CARD-DEMO-001', pin: DEMO.pin })).status).toBe(
      202,
    );
    await waitFor(async () => expect(await orderStatus(ctx, orderNo)).toBe('settled'));
    expect(await ids()).toEqual(['CARD-DEMO-001', newest, declined]);
  });
});
