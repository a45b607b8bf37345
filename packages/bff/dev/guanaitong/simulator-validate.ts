// The simulator's parameter rules for checkUserAndToPay: every row of seed 001's tables, refused with the code a
// rule of that kind gets (missing → 1000210006, length → 1000220001, value → 1000220002).
import { parseYuan } from '@zf/shared';
import { GAT_CODES, OUTER_TRADE_NO_MAX, OUTER_TRADE_NO_MIN } from '../../src/providers/guanaitong/protocol.ts';

/** A request the simulator refuses; turned into the `{code,msg,data:null}` envelope in one place. */
export class GatRejection extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(`${code} ${msg}`);
    this.name = 'GatRejection';
  }
}

/** checkUserAndToPay's business parameters once every formal rule has passed. */
export interface PayParams {
  authCode: string;
  sellerAppid: string;
  outerTradeNo: string;
  payType: 1 | 2;
  amountFen: number;
  reason: string;
  accountOpenid: string | null;
  returnUrl: string;
  notifyUrl: string;
  attach: string | null;
  tradeInfo: string;
}

const reject = (code: number, msg: string): never => {
  throw new GatRejection(code, msg);
};

/** A parameter's value after trimming; empty counts as absent, as in the signature rule. */
function present(params: Readonly<Record<string, string>>, name: string): string | null {
  const v = params[name]?.trim();
  return v === undefined || v === '' ? null : v;
}

function lengthIn(name: string, value: string, min: number, max: number): string {
  if (value.length < min || value.length > max) reject(GAT_CODES.LENGTH, `${name}长度不符合要求[${min},${max}]`);
  return value;
}

/** ASSUMPTION: the documents give only lengths for the two URLs; the simulator also wants absolute http(s) URLs. */
function httpUrl(name: string, value: string): string {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') reject(GAT_CODES.VALUE, `${name}不是合法的URL`);
  return value;
}

/** A decimal of at most two places within [min, max] fen; null when it is not one. */
function decimalFen(raw: string, minFen: number): number | null {
  const fen = parseYuan(raw);
  return fen !== null && fen >= minFen ? fen : null;
}

/** Formal rules of the private parameters, in table order. Semantic checks (auth code, balance…) come after. */
export function validatePayParams(params: Readonly<Record<string, string>>): PayParams {
  const authCode = present(params, 'auth_code') ?? reject(GAT_CODES.AUTH_CODE_NEEDED, '缺少auth_code');
  const required = ['seller_appid', 'outer_trade_no', 'pay_type', 'point', 'reason', 'return_url', 'notify_url', 'trade_info'];
  for (const name of required) if (present(params, name) === null) reject(GAT_CODES.PARAM_CHECK, `缺少参数${name}`);
  const get = (name: string) => present(params, name) ?? '';

  lengthIn('auth_code', authCode, 40, 40);
  const sellerAppid = lengthIn('seller_appid', get('seller_appid'), 1, 32);
  const outerTradeNo = lengthIn('outer_trade_no', get('outer_trade_no'), OUTER_TRADE_NO_MIN, OUTER_TRADE_NO_MAX);
  if (!outerTradeNo.startsWith(sellerAppid)) reject(GAT_CODES.VALUE, 'outer_trade_no必须以seller_appid开头');
  const payTypeRaw = get('pay_type');
  if (payTypeRaw !== '1' && payTypeRaw !== '2') reject(GAT_CODES.VALUE, 'pay_type只能为1或2');
  const amountFen = decimalFen(get('point'), 1) ?? reject(GAT_CODES.VALUE, 'point取值范围[0.01,99999999.99]');
  const reason = lengthIn('reason', get('reason'), 1, 254);
  const accountOpenid = present(params, 'account_openid');
  if (accountOpenid !== null) lengthIn('account_openid', accountOpenid, 1, 32);
  const returnUrl = httpUrl('return_url', lengthIn('return_url', get('return_url'), 1, 2000));
  const notifyUrl = httpUrl('notify_url', lengthIn('notify_url', get('notify_url'), 1, 254));
  const attach = present(params, 'attach');
  if (attach !== null) lengthIn('attach', attach, 1, 100);
  const tradeInfo = lengthIn('trade_info', get('trade_info'), 1, 4000);
  validateTradeInfo(tradeInfo);

  return {
    authCode,
    sellerAppid,
    outerTradeNo,
    payType: payTypeRaw === '1' ? 1 : 2,
    amountFen,
    reason,
    accountOpenid,
    returnUrl,
    notifyUrl,
    attach,
    tradeInfo,
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A scalar field of trade_info as text. The seed's own example writes string fields as numbers
 * (`"third_trade_no":1212`, `"name":2`), so numbers are accepted for strings and strings for numbers.
 */
function scalar(obj: { [key: string]: Json }, path: string, name: string): string {
  const v = obj[name];
  if (v === undefined || v === null || v === '') return reject(GAT_CODES.PARAM_CHECK, `trade_info缺少${path}${name}`);
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return reject(GAT_CODES.VALUE, `trade_info ${path}${name}类型错误`);
}

function text(obj: { [key: string]: Json }, path: string, name: string, max: number): void {
  lengthIn(`trade_info ${path}${name}`, scalar(obj, path, name), 1, max);
}

/** A decimal field: minFen 1 for `[0.01,…]`, 0 for `[0.00,…]`; at most 2 places, at most 99 999 999.99. */
function decimal(obj: { [key: string]: Json }, path: string, name: string, minFen: 0 | 1): void {
  const raw = scalar(obj, path, name);
  if (decimalFen(raw, minFen) === null) {
    reject(GAT_CODES.VALUE, `trade_info ${path}${name}取值范围[${minFen === 1 ? '0.01' : '0.00'},99999999.99]`);
  }
}

function list(obj: { [key: string]: Json }, path: string, name: string): Json[] {
  const v = obj[name];
  if (v === undefined || v === null) return reject(GAT_CODES.PARAM_CHECK, `trade_info缺少${path}${name}`);
  if (!Array.isArray(v)) return reject(GAT_CODES.VALUE, `trade_info ${path}${name}必须为列表`);
  if (v.length === 0) return reject(GAT_CODES.PARAM_CHECK, `trade_info ${path}${name}不能为空`);
  return v;
}

function validateGoods(items: Json[], path: string): void {
  items.forEach((item, i) => {
    const p = `${path}goods_detail[${i}].`;
    if (!isObject(item)) return reject(GAT_CODES.VALUE, `trade_info ${p}必须为对象`);
    text(item, p, 'sku_id', 50);
    text(item, p, 'name', 50);
    const quantity = scalar(item, p, 'quantity');
    if (!/^[1-9]\d{0,8}$/.test(quantity)) reject(GAT_CODES.VALUE, `trade_info ${p}quantity最少为1`);
    decimal(item, p, 'good_price', 1);
    // The table marks good_pay_amount required although good_price's note says it may be left out when equal;
    // the simulator follows the table, the stricter reading.
    decimal(item, p, 'good_pay_amount', 0);
    decimal(item, p, 'good_cost_amount', 0);
  });
}

/**
 * trade_info's JSON shape and field ranges (seed 001 tables 3–5). No cross-field arithmetic is checked: the seed's
 * own example pays `point=10.2` with `third_pay_amount` 1, so the service evidently does not reconcile them.
 */
export function validateTradeInfo(raw: string): void {
  let parsed: Json;
  try {
    parsed = JSON.parse(raw) as Json;
  } catch {
    return reject(GAT_CODES.PARAM_CHECK, 'trade_info不是合法的JSON');
  }
  if (!isObject(parsed)) return reject(GAT_CODES.PARAM_CHECK, 'trade_info必须为JSON对象');
  text(parsed, '', 'third_trade_no', 50);
  decimal(parsed, '', 'third_total_amount', 1);
  decimal(parsed, '', 'third_pay_amount', 1);
  decimal(parsed, '', 'third_cost_amount', 0);
  const isThirdOrders = scalar(parsed, '', 'is_third_orders');
  if (isThirdOrders === '1') {
    list(parsed, '', 'third_orders').forEach((order, i) => {
      const p = `third_orders[${i}].`;
      if (!isObject(order)) return reject(GAT_CODES.VALUE, `trade_info ${p}必须为对象`);
      text(order, p, 'third_sub_trade_no', 50);
      decimal(order, p, 'third_sub_delivery_fee', 0);
      decimal(order, p, 'third_sub_total_amount', 1);
      decimal(order, p, 'third_sub_pay_amount', 1);
      decimal(order, p, 'third_sub_cost_amount', 0);
      validateGoods(list(order, p, 'goods_detail'), p);
    });
  } else if (isThirdOrders === '2') {
    validateGoods(list(parsed, '', 'goods_detail'), '');
  } else {
    reject(GAT_CODES.VALUE, 'trade_info is_third_orders只能为1或2');
  }
}
