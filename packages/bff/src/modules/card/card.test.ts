// Bound cards through the API, on SQLite and MariaDB: listing, binding with its checks (Luhn, GB 11643 ID check
// character, mobile, name), and that nothing but a masked number and a token is ever stored.
import { expect, it } from 'vitest';
import type { Database } from '../../db/tables.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { TEST_CARDS, TEST_HOLDER } from '../../../testing/card-pay-env.ts';

const TABLES: Array<keyof Database> = [
  'partners', 'users', 'claims', 'policies', 'orders', 'payment_attempts', 'bound_cards', 'ledger_accounts', 'ledger_transfers',
  'ledger_entries', 'alerts', 'clearing_tasks', 'callback_events', 'callback_deliveries', 'provider_notifications', 'admin_users', 'audit_log',
];

/** Every row of every table as one string. */
async function dumpDatabase(ctx: TestContext): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) parts.push(JSON.stringify(await ctx.deps.db.selectFrom(table).selectAll().execute()));
  return parts.join('\n');
}

async function cardCount(ctx: TestContext): Promise<number> {
  const row = await ctx.deps.db.selectFrom('bound_cards').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachDatabase('bound cards', (get) => {
  it("lists the user's own bound cards, masked, and nobody else's", async () => {
    const ctx = get();
    const zhang = await ctx.enter();
    const mine = await ctx.call('GET', '/api/cards', zhang.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ cards: [{ id: 'CARD-DEMO-001', bank_name: '招商银行', masked_no: '6214 **** **** 0000', last4: '0000' }] });
    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    expect((await ctx.call('GET', '/api/cards', wang.token)).body).toEqual({ cards: [] });
    expect((await ctx.call('GET', '/api/cards')).body.code).toBe('ZF0020');
  });

  it('binds a card with only a masked number, bank, masked phone and a token; the same card again is the same binding', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    ctx.clock.advance(1000);
    const res = await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: '6214 8300 0007 2222' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ card: { id: expect.stringMatching(/^CARD\d{14}/), bank_name: '招商银行', masked_no: '6214 **** **** 2222', last4: '2222' }, created: true });
    const row = await ctx.deps.db.selectFrom('bound_cards').selectAll().where('id', '=', res.body.card.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: DEMO.users.zhangsan.id, holder_name: '张三', masked_no: '6214 **** **** 2222', last4: '2222', phone_masked: '138****8000' });
    expect(row.token).toMatch(/^pzagr_[0-9a-f]{20}_2222$/);
    expect(row.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const again = await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ card: res.body.card, created: false });
    expect(await cardCount(ctx)).toBe(2);

    ctx.clock.advance(1000);
    const unknownBin = await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: '4000000000000002' });
    expect(unknownBin.body.card).toMatchObject({ bank_name: '银行卡', masked_no: '4000 **** **** 0002' });
    const list = await ctx.call('GET', '/api/cards', token);
    expect(list.body.cards.map((c: { last4: string }) => c.last4)).toEqual(['0002', '2222', '0000']);
  });

  it('shows the bound cards on the cashier card method', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    const order = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
    const cashier = async () => (await ctx.call('GET', `/api/orders/${order.body.order.order_no}/cashier`, token)).body.methods.find((m: { method: string }) => m.method === 'card');
    expect(await cashier()).toEqual({ method: 'card', enabled: true, balance_fen: null, note: '招商银行（尾号0000）' });
    ctx.clock.advance(1000);
    await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow });
    expect((await cashier()).note).toBe('招商银行（尾号2222） 等 2 张');
    const wang = await ctx.enter({ claim_no: DEMO.users.wangwu.claimNo, refer_no: 'REF-W' });
    const wOrder = await ctx.call('POST', '/api/orders', wang.token, { policy_no: 'POL-PICC-003' });
    const wCashier = await ctx.call('GET', `/api/orders/${wOrder.body.order.order_no}/cashier`, wang.token);
    expect(wCashier.body.methods.find((m: { method: string }) => m.method === 'card').note).toBe('暂无绑定银行卡，可添加');
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
    for (const patch of bad) {
      const res = await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: TEST_CARDS.slow, ...patch });
      expect({ patch, status: res.status, code: res.body.code }).toEqual({ patch, status: 400, code: 'ZF0010' });
    }
    expect(await cardCount(ctx)).toBe(1);
    // Lower-case x and a name with the middle dot are fine.
    const ok = await ctx.call('POST', '/api/cards', token, { holder_name: '阿依古丽·买买提', id_number: '11010519491231002x', card_no: TEST_CARDS.paid, phone: '19912345678' });
    expect(ok.status).toBe(201);
  });

  it('never stores the full card number, ID number or phone anywhere in the database', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    for (const card of Object.values(TEST_CARDS)) {
      expect((await ctx.call('POST', '/api/cards', token, { ...TEST_HOLDER, card_no: card })).status).toBe(201);
    }
    const dump = await dumpDatabase(ctx);
    for (const card of Object.values(TEST_CARDS)) {
      expect(dump).not.toContain(card);
      expect(dump).not.toContain(card.slice(0, 12)); // not even the first 12 digits
    }
    expect(dump).not.toContain(TEST_HOLDER.id_number);
    expect(dump).not.toContain(TEST_HOLDER.id_number.slice(0, 14));
    expect(dump).not.toContain(TEST_HOLDER.phone);
  });
});
