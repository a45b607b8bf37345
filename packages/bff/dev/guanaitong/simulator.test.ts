// The simulator refuses every documented rule of seed 001 with the right code, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.ts';
import { GuanaitongError } from '../../src/providers/guanaitong/client.ts';
import { GAT_CODES, GAT_PATHS, unixSeconds } from '../../src/providers/guanaitong/protocol.ts';
import { signParams } from '../../src/providers/guanaitong/sign.ts';
import { startGuanaitongHarness, TEST_GAT, type GuanaitongHarness } from '../../testing/guanaitong.ts';
import { buildTradeInfo, serializeTradeInfo } from '../../src/providers/guanaitong/trade.ts';

const PAY = GAT_PATHS.checkUserAndToPay;
const SELLER = TEST_GAT.sellerAppid;
const C = GAT_CODES;

const clock = new ManualClock();
let h: GuanaitongHarness;
let seq = 0;

beforeAll(async () => {
  h = await startGuanaitongHarness({
    clock,
    simulator: {
      onUnexpectedError: (err) => {
        throw err;
      },
    },
  });
});
afterAll(async () => {
  await h.close();
});

type Params = Record<string, string | undefined>;
type JsonObject = Record<string, unknown>;

/** A valid checkUserAndToPay parameter set for a fresh employee, with overrides (undefined removes one). */
function payParams(overrides: Params = {}): Params {
  seq += 1;
  return {
    auth_code: h.sim.control.issueAuthCode(`employee-${seq}`),
    seller_appid: SELLER,
    outer_trade_no: `${SELLER}${String(seq).padStart(6, '0')}`,
    pay_type: '1',
    point: '10.20',
    reason: '医疗费用自付',
    return_url: 'http://127.0.0.1:9/return',
    notify_url: 'http://127.0.0.1:9/notify',
    trade_info: serializeTradeInfo(buildTradeInfo({ orderNo: `ZF${seq}`, selfPayFen: 1020 })),
    ...overrides,
  };
}

/** trade_info of the valid set, changed by `mutate`. */
function tradeInfo(mutate: (info: JsonObject, goods: JsonObject) => void): string {
  const info = JSON.parse(serializeTradeInfo(buildTradeInfo({ orderNo: 'ZF1', selfPayFen: 1020 }))) as JsonObject;
  const goods = (info.goods_detail as JsonObject[])[0] as JsonObject;
  mutate(info, goods);
  return JSON.stringify(info);
}

const subOrders = (mutate: (order: JsonObject) => void = () => undefined) =>
  tradeInfo((info, goods) => {
    const order: JsonObject = {
      third_sub_trade_no: 'SUB1',
      third_sub_delivery_fee: 0,
      third_sub_total_amount: 10.2,
      third_sub_pay_amount: 10.2,
      third_sub_cost_amount: 0,
      goods_detail: [goods],
    };
    mutate(order);
    info.is_third_orders = 1;
    info.third_orders = [order];
    delete info.goods_detail;
  });

async function refusedWith(params: Params, path: string = PAY): Promise<number> {
  try {
    await h.client.call(path, params);
  } catch (err) {
    if (err instanceof GuanaitongError) return err.code;
    throw err;
  }
  throw new Error('the request was accepted');
}

async function accepted(params: Params): Promise<{ trade_no: string; cashier_url: string }> {
  return (await h.client.call(PAY, params)) as { trade_no: string; cashier_url: string };
}

describe('guanaitong simulator: checkUserAndToPay parameter rules', () => {
  it('accepts a valid request and answers the envelope with a trade and its cashier', async () => {
    const data = await accepted(payParams());
    expect(data.trade_no).toMatch(/^\d{16}$/);
    expect(new URL(data.cashier_url).pathname).toBe('/cashier');
  });

  it('accepts the seed example’s parameters (numbers for strings in trade_info, point 10.2)', async () => {
    const seedTradeInfo =
      '{"third_pay_amount":1,"third_cost_amount":0,"third_total_amount":1,"is_third_orders":2,"third_trade_no":1212,' +
      '"goods_detail":[{"good_price":2,"quantity":2,"name":2,"sku_id":2,"good_cost_amount":0,"good_pay_amount":2}]}';
    await accepted(payParams({ outer_trade_no: '201107831558403602084', point: '10.2', trade_info: seedTradeInfo }));
  });

  const cases: Array<[string, () => Params, number]> = [
    ['auth_code missing', () => payParams({ auth_code: undefined }), C.AUTH_CODE_NEEDED],
    ['auth_code not 40 chars', () => payParams({ auth_code: 'A'.repeat(39) }), C.LENGTH],
    ['auth_code unknown', () => payParams({ auth_code: 'A'.repeat(40) }), C.AUTH_CODE_INVALID],
    ...['seller_appid', 'outer_trade_no', 'pay_type', 'point', 'reason', 'return_url', 'notify_url', 'trade_info'].map(
      (name): [string, () => Params, number] => [`${name} missing`, () => payParams({ [name]: undefined }), C.PARAM_CHECK],
    ),
    ['reason blank (empty counts as missing)', () => payParams({ reason: '  ' }), C.PARAM_CHECK],
    ['seller_appid over 32 chars', () => payParams({ seller_appid: '9'.repeat(33) }), C.LENGTH],
    ['seller_appid unknown', () => payParams({ seller_appid: '20110784', outer_trade_no: '201107840001' }), C.VALUE],
    ['outer_trade_no under 10 chars', () => payParams({ outer_trade_no: `${SELLER}1` }), C.LENGTH],
    ['outer_trade_no over 30 chars', () => payParams({ outer_trade_no: `${SELLER}${'1'.repeat(23)}` }), C.LENGTH],
    ['outer_trade_no without the seller prefix', () => payParams({ outer_trade_no: '9999999900001' }), C.VALUE],
    ['pay_type 0', () => payParams({ pay_type: '0' }), C.VALUE],
    ['pay_type 3', () => payParams({ pay_type: '3' }), C.VALUE],
    ['pay_type not a number', () => payParams({ pay_type: 'x' }), C.VALUE],
    ['point 0.00', () => payParams({ point: '0.00' }), C.VALUE],
    ['point above 99999999.99', () => payParams({ point: '100000000.00' }), C.VALUE],
    ['point with 3 decimals', () => payParams({ point: '10.123' }), C.VALUE],
    ['point negative', () => payParams({ point: '-1.00' }), C.VALUE],
    ['point not a number', () => payParams({ point: '1e3' }), C.VALUE],
    ['reason over 254 chars', () => payParams({ reason: '因'.repeat(255) }), C.LENGTH],
    ['account_openid over 32 chars', () => payParams({ pay_type: '2', account_openid: 'a'.repeat(33) }), C.LENGTH],
    ['return_url over 2000 chars', () => payParams({ return_url: `http://a.cn/${'x'.repeat(1989)}` }), C.LENGTH],
    ['return_url not http(s)', () => payParams({ return_url: 'javascript:alert(1)' }), C.VALUE],
    ['notify_url over 254 chars', () => payParams({ notify_url: `http://a.cn/${'x'.repeat(243)}` }), C.LENGTH],
    ['notify_url not a URL', () => payParams({ notify_url: 'not a url' }), C.VALUE],
    ['attach over 100 chars', () => payParams({ attach: 'x'.repeat(101) }), C.LENGTH],
    ['trade_info over 4000 chars', () => payParams({ trade_info: `{"x":"${'x'.repeat(3995)}"}` }), C.LENGTH],
    ['trade_info not JSON', () => payParams({ trade_info: '{third_trade_no:1' }), C.PARAM_CHECK],
    ['trade_info not an object', () => payParams({ trade_info: '[]' }), C.PARAM_CHECK],
    ['trade_info without third_trade_no', () => payParams({ trade_info: tradeInfo((i) => delete i.third_trade_no) }), C.PARAM_CHECK],
    ['third_trade_no over 50 chars', () => payParams({ trade_info: tradeInfo((i) => (i.third_trade_no = 'x'.repeat(51))) }), C.LENGTH],
    ['third_total_amount 0', () => payParams({ trade_info: tradeInfo((i) => (i.third_total_amount = 0)) }), C.VALUE],
    ['third_pay_amount with 3 decimals', () => payParams({ trade_info: tradeInfo((i) => (i.third_pay_amount = 1.001)) }), C.VALUE],
    ['third_pay_amount missing', () => payParams({ trade_info: tradeInfo((i) => delete i.third_pay_amount) }), C.PARAM_CHECK],
    ['third_cost_amount negative', () => payParams({ trade_info: tradeInfo((i) => (i.third_cost_amount = -0.01)) }), C.VALUE],
    [
      'third_cost_amount above the maximum',
      () => payParams({ trade_info: tradeInfo((i) => (i.third_cost_amount = '100000000')) }),
      C.VALUE,
    ],
    ['is_third_orders 3', () => payParams({ trade_info: tradeInfo((i) => (i.is_third_orders = 3)) }), C.VALUE],
    ['is_third_orders missing', () => payParams({ trade_info: tradeInfo((i) => delete i.is_third_orders) }), C.PARAM_CHECK],
    ['goods_detail missing without sub-orders', () => payParams({ trade_info: tradeInfo((i) => delete i.goods_detail) }), C.PARAM_CHECK],
    ['goods_detail empty', () => payParams({ trade_info: tradeInfo((i) => (i.goods_detail = [])) }), C.PARAM_CHECK],
    ['goods_detail not a list', () => payParams({ trade_info: tradeInfo((i) => (i.goods_detail = {})) }), C.VALUE],
    ['sku_id over 50 chars', () => payParams({ trade_info: tradeInfo((_, g) => (g.sku_id = 's'.repeat(51))) }), C.LENGTH],
    ['goods name missing', () => payParams({ trade_info: tradeInfo((_, g) => delete g.name) }), C.PARAM_CHECK],
    ['goods name over 50 chars', () => payParams({ trade_info: tradeInfo((_, g) => (g.name = '名'.repeat(51))) }), C.LENGTH],
    ['quantity 0', () => payParams({ trade_info: tradeInfo((_, g) => (g.quantity = 0)) }), C.VALUE],
    ['quantity fractional', () => payParams({ trade_info: tradeInfo((_, g) => (g.quantity = 1.5)) }), C.VALUE],
    ['good_price 0', () => payParams({ trade_info: tradeInfo((_, g) => (g.good_price = 0)) }), C.VALUE],
    ['good_pay_amount missing', () => payParams({ trade_info: tradeInfo((_, g) => delete g.good_pay_amount) }), C.PARAM_CHECK],
    ['good_cost_amount negative', () => payParams({ trade_info: tradeInfo((_, g) => (g.good_cost_amount = -1)) }), C.VALUE],
    [
      'third_orders missing with is_third_orders 1',
      () => payParams({ trade_info: tradeInfo((i) => (i.is_third_orders = 1)) }),
      C.PARAM_CHECK,
    ],
    ['sub-order without goods_detail', () => payParams({ trade_info: subOrders((o) => delete o.goods_detail) }), C.PARAM_CHECK],
    [
      'third_sub_trade_no over 50 chars',
      () => payParams({ trade_info: subOrders((o) => (o.third_sub_trade_no = 'x'.repeat(51))) }),
      C.LENGTH,
    ],
    ['third_sub_delivery_fee negative', () => payParams({ trade_info: subOrders((o) => (o.third_sub_delivery_fee = -0.01)) }), C.VALUE],
    ['third_sub_pay_amount 0', () => payParams({ trade_info: subOrders((o) => (o.third_sub_pay_amount = 0)) }), C.VALUE],
    ['third_sub_cost_amount missing', () => payParams({ trade_info: subOrders((o) => delete o.third_sub_cost_amount) }), C.PARAM_CHECK],
  ];

  it.each(cases)('refuses %s', async (_name, params, code) => {
    expect(await refusedWith(params())).toBe(code);
  });

  it('accepts every boundary value', async () => {
    await accepted(payParams({ outer_trade_no: `${SELLER}12` }));
    await accepted(payParams({ outer_trade_no: `${SELLER}${'2'.repeat(22)}` }));
    await accepted(payParams({ point: '0.01', reason: '因'.repeat(254), attach: 'a'.repeat(100) }));
    await accepted(payParams({ return_url: `http://a.cn/${'x'.repeat(1988)}`, notify_url: `https://a.cn/${'x'.repeat(241)}` }));
    await accepted(payParams({ trade_info: subOrders() }));
    await accepted(payParams({ trade_info: tradeInfo((i, g) => ((i.third_cost_amount = '0.00'), (g.good_pay_amount = '0'))) }));
  });

  it('refuses a duplicate outer_trade_no with 1000220003', async () => {
    const first = payParams();
    await accepted(first);
    expect(await refusedWith(payParams({ outer_trade_no: first.outer_trade_no }))).toBe(C.EXISTS);
  });

  it('uses up the auth code on success, keeps it on refusal, and expires it after one minute', async () => {
    const params = payParams({ point: '0' });
    expect(await refusedWith(params)).toBe(C.VALUE);
    await accepted({ ...params, point: '1.00' });
    expect(await refusedWith({ ...payParams(), auth_code: params.auth_code })).toBe(C.AUTH_CODE_INVALID);

    const late = payParams();
    clock.advance(60_000);
    expect(await refusedWith(late)).toBe(C.AUTH_CODE_INVALID);
  });

  it('requires account_openid for quota payment when the employee has several quota assets', async () => {
    const params = payParams({ pay_type: '2' });
    expect(await refusedWith(params)).toBe(C.PARAM_CHECK);
    expect(await refusedWith({ ...params, account_openid: 'f'.repeat(32) })).toBe(C.VALUE);
    const login = `employee-${seq}`;
    const [, second] = h.sim.control.employee(login).quotas;
    const data = await accepted({ ...params, account_openid: second?.accountOpenid });
    expect(h.sim.control.trade(data.trade_no)?.accountOpenid).toBe(second?.accountOpenid);
  });

  it('does not need account_openid when the employee has one quota asset, and refuses when there is none', async () => {
    h.sim.control.setEmployee('single', { pointsFen: 0, quotas: [{ name: '额度', balanceFen: 5000 }] });
    h.sim.control.setEmployee('none', { pointsFen: 5000, quotas: [] });
    const single = await accepted(payParams({ auth_code: h.sim.control.issueAuthCode('single'), pay_type: '2' }));
    expect(h.sim.control.trade(single.trade_no)?.accountOpenid).toBe(h.sim.control.employee('single').quotas[0]?.accountOpenid);
    expect(await refusedWith(payParams({ auth_code: h.sim.control.issueAuthCode('none'), pay_type: '2' }))).toBe(C.VALUE);
  });

  it('refuses an amount above the balance with 1000220004', async () => {
    expect(await refusedWith(payParams({ point: '1000.01' }))).toBe(C.INSUFFICIENT_BALANCE);
    await accepted(payParams({ point: '1000.00' }));
    expect(await refusedWith(payParams({ pay_type: '2', point: '300.01', account_openid: undefined }))).toBe(C.PARAM_CHECK);
  });
});

/** A raw signed request, for the common-parameter rules the client never breaks. */
async function raw(path: string, query: Record<string, string>, body: Record<string, string>, sign = true): Promise<number> {
  const q = { ...query, ...(sign ? { sign: signParams({ ...query, ...body }, TEST_GAT.appsecret) } : {}) };
  const res = await fetch(`${h.server.url}${path}?${new URLSearchParams(q).toString()}`, {
    method: 'POST',
    body: new URLSearchParams(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: number }).code;
}

describe('guanaitong simulator: common parameters', () => {
  const now = () => String(unixSeconds(clock.now()));
  const business = () => ({ auth_code: h.sim.control.issueAuthCode() });

  it('refuses a missing token, an unknown token, a stale timestamp, a bad sign and a sent appsecret', async () => {
    const token = await h.client.getAccessToken();
    const ok = { access_token: token, timestamp: now(), version: '1.0.0' };
    expect(await raw(GAT_PATHS.assets, ok, business())).toBe(C.OK);
    expect(await raw(GAT_PATHS.assets, { timestamp: now() }, business())).toBe(C.NO_TOKEN);
    expect(await raw(GAT_PATHS.assets, { ...ok, access_token: 'f'.repeat(32) }, business())).toBe(C.TOKEN);
    expect(await raw(GAT_PATHS.assets, { ...ok, timestamp: String(unixSeconds(clock.now()) - 301) }, business())).toBe(C.TIMESTAMP);
    expect(await raw(GAT_PATHS.assets, { ...ok, timestamp: String(unixSeconds(clock.now()) + 300) }, business())).toBe(C.OK);
    expect(await raw(GAT_PATHS.assets, { ...ok, timestamp: '' }, business())).toBe(C.TIMESTAMP);
    expect(await raw(GAT_PATHS.assets, ok, business(), false)).toBe(C.SIGN);
    expect(await raw(GAT_PATHS.assets, { ...ok, sign: 'a'.repeat(40) }, business(), false)).toBe(C.SIGN);
    expect(await raw(GAT_PATHS.assets, ok, { ...business(), appsecret: TEST_GAT.appsecret })).toBe(C.APPSECRET_SENT);
    expect(await raw(GAT_PATHS.assets, { ...ok, auth_code: 'A'.repeat(40) }, business())).toBe(C.PARAM_CHECK);
    expect(await raw('/employee/unknown', ok, {})).toBe(C.NOT_FOUND);
  });

  it('refuses a tampered business parameter (signature over query and body together)', async () => {
    const token = await h.client.getAccessToken();
    const query = { access_token: token, timestamp: now() };
    const body = business();
    const sign = signParams({ ...query, ...body }, TEST_GAT.appsecret);
    const res = await fetch(`${h.server.url}${GAT_PATHS.assets}?${new URLSearchParams({ ...query, sign }).toString()}`, {
      method: 'POST',
      body: new URLSearchParams({ auth_code: h.sim.control.issueAuthCode() }),
    });
    expect(((await res.json()) as { code: number }).code).toBe(C.SIGN);
  });

  it('checks /token/create: appid, grant_type, timestamp, sign, appsecret', async () => {
    const form = { appid: TEST_GAT.appid, grant_type: 'client_credential', timestamp: now() };
    expect(await raw(GAT_PATHS.token, {}, form)).toBe(C.OK);
    expect(await raw(GAT_PATHS.token, {}, { ...form, appid: '30000004' })).toBe(C.APP_INFO);
    expect(await raw(GAT_PATHS.token, {}, { ...form, appid: '' })).toBe(C.PARAM_CHECK);
    expect(await raw(GAT_PATHS.token, {}, { ...form, grant_type: 'password' })).toBe(C.VALUE);
    expect(await raw(GAT_PATHS.token, {}, { ...form, timestamp: String(unixSeconds(clock.now()) + 301) })).toBe(C.TIMESTAMP);
    expect(await raw(GAT_PATHS.token, {}, form, false)).toBe(C.SIGN);
    expect(await raw(GAT_PATHS.token, {}, { ...form, appsecret: TEST_GAT.appsecret })).toBe(C.APPSECRET_SENT);
  });
});

describe('guanaitong simulator: token rate limit', () => {
  it('issues at most 60 tokens per hour, then answers 1000200052', async () => {
    const localClock = new ManualClock();
    const local = await startGuanaitongHarness({ clock: localClock });
    try {
      const form = { appid: TEST_GAT.appid, grant_type: 'client_credential', timestamp: String(unixSeconds(localClock.now())) };
      const body = new URLSearchParams({ ...form, sign: signParams(form, TEST_GAT.appsecret) });
      const codes: number[] = [];
      for (let i = 0; i < 61; i += 1) {
        const res = await fetch(`${local.server.url}${GAT_PATHS.token}`, { method: 'POST', body });
        codes.push(((await res.json()) as { code: number }).code);
      }
      expect(codes.slice(0, 60).every((code) => code === C.OK)).toBe(true);
      expect(codes[60]).toBe(C.FREQUENCY);
      expect(local.sim.control.tokensIssued).toBe(60);
      localClock.advance(3_600_000);
      const later = { ...form, timestamp: String(unixSeconds(localClock.now())) };
      const res = await fetch(`${local.server.url}${GAT_PATHS.token}`, {
        method: 'POST',
        body: new URLSearchParams({ ...later, sign: signParams(later, TEST_GAT.appsecret) }),
      });
      expect(((await res.json()) as { code: number }).code).toBe(C.OK);
    } finally {
      await local.close();
    }
  });
});
