// Bound cards through the API, on SQLite and MariaDB, against the Payzero simulator over real HTTP: listing, binding
// with its checks (Luhn, GB 11643 ID check character, mobile, name) and its SMS code (Payzero's card-agreement
// signing: wrong code, limited tries, expiry), removing a card, and that nothing but masked data and the agreement
// number is ever stored.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../db/tables.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { startCardPayEnv, TEST_CARDS, TEST_HOLDER, TEST_SMS_CODE, type CardPayEnv } from '../../../testing/card-pay-env.ts';

const TABLES: Array<keyof Database> = [
  'partners',
  'users',
  'claims',
  'policies',
  'orders',
  'payment_attempts',
  'bound_cards',
  'sms_challenges',
  'ledger_accounts',
  'ledger_transfers',
  'ledger_entries',
  'alerts',
  'clearing_tasks',
  'callback_events',
  'callback_deliveries',
  'provider_notifications',
  'admin_users',
  'audit_log',
];

/** Every row of every table as one string. */
async function dumpDatabase(ctx: TestContext): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) parts.push(JSON.stringify(await ctx.deps.db.selectFrom(table).selectAll().execute()));
  return parts.join('\n');
}

async function cardCount(ctx: TestContext): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('bound_cards')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachDatabase('bound cards', (get) => {
  let env: CardPayEnv;
  beforeEach(async () => {
    env = await startCardPayEnv(get());
  });
  afterEach(async () => {
    await env.close();
  });

  it("lists the user's own bound cards, masked, and nobody else's", async () => {
    const ctx = get();
    const zhang = await ctx.enter();
    const mine = await env.call('GET', '/api/cards', zhang.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      cards: [{ id: 'CARD-DEMO-001', bank_name: '招商银行', masked_no: '6214 **** **** 0000', last4: '0000', last_declined: false }],
    });
    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    expect((await env.call('GET', '/api/cards', wang.token)).body).toEqual({ cards: [] });
    expect((await env.call('GET', '/api/cards')).body.code).toBe('ZF0020');
  });

  it('binds a card only after the SMS code Payzero sent to its phone; keeps a masked number, bank, masked phone and the agreement number', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    ctx.clock.advance(1000);
    const started = await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: '6214 8300 0007 2222' });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      binding: {
        binding_id: expect.stringMatching(/^BIND\d{14}/),
        phone_masked: '138****8000',
        expires_at: new Date(ctx.clock.now() + 300_000).toISOString(),
      },
    });
    expect(env.sim.smsLog.map((s) => [s.phone, s.code])).toEqual([['13800138000', TEST_SMS_CODE]]);
    // Nothing is bound before the code.
    expect(await cardCount(ctx)).toBe(1);
    expect((await env.call('GET', '/api/cards', token)).body.cards).toHaveLength(1);

    const res = await env.call('POST', '/api/cards/confirm', token, {
      binding_id: started.body.binding.binding_id,
      sms_code: TEST_SMS_CODE,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      card: {
        id: expect.stringMatching(/^CARD\d{14}/),
        bank_name: '招商银行',
        masked_no: '6214 **** **** 2222',
        last4: '2222',
        last_declined: false,
      },
      created: true,
    });
    const row = await ctx.deps.db.selectFrom('bound_cards').selectAll().where('id', '=', res.body.card.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      user_id: DEMO.users.zhangsan.id,
      holder_name: '张三',
      masked_no: '6214 **** **** 2222',
      last4: '2222',
      phone_masked: '138****8000',
      removed_at: null,
    });
    expect(row.token).toMatch(/^pzagr_[0-9a-f]{20}_2222$/);
    expect(row.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The same code again: the binding is used up.
    expect(
      (await env.call('POST', '/api/cards/confirm', token, { binding_id: started.body.binding.binding_id, sms_code: TEST_SMS_CODE })).body
        .code,
    ).toBe('ZF0202');

    // The same card again is the same binding, answered at once (no second SMS).
    const again = await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ card: res.body.card, created: false });
    expect(env.sim.smsLog).toHaveLength(1);
    expect(await cardCount(ctx)).toBe(2);

    ctx.clock.advance(1000);
    await env.bindCard(token, '4000000000000002');
    const list = await env.call('GET', '/api/cards', token);
    expect(list.body.cards.map((c: { last4: string; bank_name: string }) => `${c.bank_name}:${c.last4}`)).toEqual([
      '银行卡:0002',
      '招商银行:2222',
      '招商银行:0000',
    ]);
  });

  it('refuses a wrong SMS code with ZF0201 and the tries left, then ZF0202 after 3 tries; a new code works; nothing bound meanwhile', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    const start = async () =>
      (await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow })).body.binding.binding_id as string;
    const first = await start();
    const wrong1 = await env.call('POST', '/api/cards/confirm', token, { binding_id: first, sms_code: '000000' });
    expect(wrong1.status).toBe(422);
    expect(wrong1.body).toMatchObject({ code: 'ZF0201', remaining_tries: 2 });
    expect((await env.call('POST', '/api/cards/confirm', token, { binding_id: first, sms_code: '000001' })).body).toMatchObject({
      code: 'ZF0201',
      remaining_tries: 1,
    });
    const third = await env.call('POST', '/api/cards/confirm', token, { binding_id: first, sms_code: '000002' });
    expect(third.status).toBe(410);
    expect(third.body.code).toBe('ZF0202');
    // Out of tries: even the right code is refused now, and Payzero is not asked again.
    expect((await env.call('POST', '/api/cards/confirm', token, { binding_id: first, sms_code: TEST_SMS_CODE })).body.code).toBe('ZF0202');
    expect(await cardCount(ctx)).toBe(1);
    // Malformed codes change nothing (ZF0010), another user's binding looks missing.
    expect((await env.call('POST', '/api/cards/confirm', token, { binding_id: first, sms_code: '12345' })).body.code).toBe('ZF0010');
    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    const second = await start();
    expect((await env.call('POST', '/api/cards/confirm', wang.token, { binding_id: second, sms_code: TEST_SMS_CODE })).body.code).toBe(
      'ZF0202',
    );
    expect((await env.call('POST', '/api/cards/confirm', token, { binding_id: second, sms_code: TEST_SMS_CODE })).status).toBe(201);
  });

  it('a code expires after 5 minutes (ZF0202), and sending codes is rate limited (ZF0120)', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    const started = await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow });
    ctx.clock.advance(300_001);
    expect(
      (await env.call('POST', '/api/cards/confirm', token, { binding_id: started.body.binding.binding_id, sms_code: TEST_SMS_CODE })).body
        .code,
    ).toBe('ZF0202');
    expect(await cardCount(ctx)).toBe(1);
    for (let i = 1; i < 5; i++)
      expect((await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow })).status).toBe(202);
    const limited = await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow });
    expect(limited.body.code).toBe('ZF0120');
    expect(env.sim.smsLog).toHaveLength(5);
  });

  it('refuses a bad card number (Luhn, length), ID number (check character, date), phone or name with ZF0010, storing nothing', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    const bad: Array<Record<string, unknown>> = [
      { card_no: '6214830000072223' }, // Luhn
      { card_no: '62148300007' }, // 11 digits
      { card_no: '62148300000000000002' }, // 20 digits
      { card_no: '6214a30000072222' },
      { id_number: '110105194912310021' }, // wrong check character (X expected)
      { id_number: '110105194913310028' }, // month 13
      { id_number: '11010519491231002' }, // 17 characters
      { phone: '12800138000' },
      { phone: '1380013800' },
      { holder_name: 'Zhang San' },
      { holder_name: '张' },
      { holder_name: '张三3' },
      { card_no: undefined },
    ];
    const before = await dumpDatabase(ctx);
    for (const patch of bad) {
      const res = await env.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow, ...patch });
      expect({ patch, status: res.status, code: res.body.code }).toEqual({ patch, status: 400, code: 'ZF0010' });
    }
    expect(await dumpDatabase(ctx)).toBe(before);
    expect(env.sim.smsLog).toHaveLength(0);
    // Lower-case x and a name with the middle dot are fine.
    await env.bindCard(token, TEST_CARDS.paid, { holder_name: '阿依古丽·买买提', id_number: '11010519491231002x', phone: '19912345678' });
    expect(await cardCount(ctx)).toBe(2);
  });

  it('never stores the full card number, ID number or phone anywhere in the database', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    for (const card of Object.values(TEST_CARDS)) await env.bindCard(token, card);
    const dump = await dumpDatabase(ctx);
    for (const card of Object.values(TEST_CARDS)) {
      expect(dump).not.toContain(card);
      expect(dump).not.toContain(card.slice(0, 12)); // not even the first 12 digits
    }
    expect(dump).not.toContain(TEST_HOLDER.id_number);
    expect(dump).not.toContain(TEST_HOLDER.id_number.slice(0, 14));
    expect(dump).not.toContain(TEST_HOLDER.phone);
  });

  it('removes a card (204): gone from the list and the cashier, refused for payment; binding it again restores it', async () => {
    const ctx = get();
    const { token, orderNo } = await env.newOrder();
    const cardId = await env.bindCard(token, TEST_CARDS.slow);
    expect((await env.call('DELETE', `/api/cards/${cardId}`, token)).status).toBe(204);
    expect((await env.call('GET', '/api/cards', token)).body.cards.map((c: { id: string }) => c.id)).toEqual(['CARD-DEMO-001']);
    expect((await env.call('DELETE', `/api/cards/${cardId}`, token)).body.code).toBe('ZF0206');
    const before = await snapshot(ctx);
    expect((await env.call('POST', `/api/orders/${orderNo}/pay/card`, token, { card_id: cardId, pin: '123456' })).body.code).toBe('ZF0150');
    expect(await snapshot(ctx)).toBe(before);
    // Another user cannot remove mine.
    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    expect((await env.call('DELETE', '/api/cards/CARD-DEMO-001', wang.token)).body.code).toBe('ZF0206');
    expect(await env.bindCard(token, TEST_CARDS.slow)).toBe(cardId);
    expect((await env.call('GET', '/api/cards', token)).body.cards.map((c: { id: string }) => c.id)).toContain(cardId);
  });
});
