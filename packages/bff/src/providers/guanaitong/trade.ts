// Building the business parameters of checkUserAndToPay from our order: `trade_info` and `outer_trade_no`.
import { createHash } from 'node:crypto';
import { formatYuan } from '@zf/shared';
import { OUTER_TRADE_NO_MAX, OUTER_TRADE_NO_MIN } from './protocol.ts';

/** One `goods_detail` line; amounts in fen, serialized as yuan decimals. */
export interface TradeInfoGoods {
  skuId: string;
  name: string;
  quantity: number;
  priceFen: number;
  payFen: number;
  costFen: number;
}

/**
 * The `trade_info` object of seed 001 without sub-orders (`is_third_orders` 2), amounts in fen.
 * Sub-orders (`is_third_orders` 1) are not modelled: one wallet order is one Guanaitong trade.
 */
export interface TradeInfo {
  thirdTradeNo: string;
  totalFen: number;
  payFen: number;
  costFen: number;
  goods: readonly TradeInfoGoods[];
}

/** What {@link buildTradeInfo} needs from an order. */
export interface TradeInfoOrder {
  /** Our order number (`third_trade_no`, 1–50 chars). */
  orderNo: string;
  /** The user's self-pay share Y, the amount paid through Guanaitong. */
  selfPayFen: number;
  /** 结算成本价; defaults to the pay amount (a pass-through payment: we expect to receive all of it). */
  costFen?: number;
  /** `sku_id`, 1–50 chars; defaults to `SELF-PAY`. */
  skuId?: string;
  /** `name`, 1–50 chars; defaults to 医疗费用自付部分. */
  goodsName?: string;
}

const DEFAULT_SKU = 'SELF-PAY';
const DEFAULT_GOODS_NAME = '医疗费用自付部分';

function checkText(field: string, value: string, max: number): string {
  if (value.length < 1 || value.length > max) throw new RangeError(`trade_info ${field} must be 1–${max} chars`);
  return value;
}

function checkFen(field: string, fen: number, min: number): number {
  if (!Number.isSafeInteger(fen) || fen < min || fen > 9_999_999_999) throw new RangeError(`trade_info ${field} out of range: ${fen}`);
  return fen;
}

/**
 * `trade_info` for an order: `is_third_orders` 2 and one goods line for the self-pay share. The Guanaitong trade
 * covers only the user's share (the insurer's share never passes through it), so original price, pay amount and
 * order total are all the self-pay amount.
 */
export function buildTradeInfo(order: TradeInfoOrder): TradeInfo {
  const payFen = checkFen('third_pay_amount', order.selfPayFen, 1);
  const costFen = checkFen('third_cost_amount', order.costFen ?? payFen, 0);
  return {
    thirdTradeNo: checkText('third_trade_no', order.orderNo, 50),
    totalFen: payFen,
    payFen,
    costFen,
    goods: [
      {
        skuId: checkText('sku_id', order.skuId ?? DEFAULT_SKU, 50),
        name: checkText('name', order.goodsName ?? DEFAULT_GOODS_NAME, 50),
        quantity: 1,
        priceFen: payFen,
        payFen,
        costFen,
      },
    ],
  };
}

/**
 * The JSON text of `trade_info`, keys in the documented order. Amounts are written as exact decimal number literals
 * (`10.20`, like the seed's example writes numbers), never through floating point.
 */
export function serializeTradeInfo(info: TradeInfo): string {
  const str = (v: string) => JSON.stringify(v);
  const yuan = (fen: number) => formatYuan(fen);
  const goods = info.goods.map(
    (g) =>
      `{"sku_id":${str(g.skuId)},"name":${str(g.name)},"quantity":${String(g.quantity)},` +
      `"good_price":${yuan(g.priceFen)},"good_pay_amount":${yuan(g.payFen)},"good_cost_amount":${yuan(g.costFen)}}`,
  );
  return (
    `{"third_trade_no":${str(info.thirdTradeNo)},"third_total_amount":${yuan(info.totalFen)},` +
    `"third_pay_amount":${yuan(info.payFen)},"third_cost_amount":${yuan(info.costFen)},` +
    `"is_third_orders":2,"goods_detail":[${goods.join(',')}]}`
  );
}

const ATTEMPT_ID_PATTERN = /^[0-9A-Za-z_-]+$/;

/**
 * `outer_trade_no` for one payment attempt: `seller_appid` followed by the attempt id, 10–30 chars (seed 001).
 * Short results are zero-padded after the prefix; an id too long to fit is replaced by the leading hex digits of
 * its SHA1, so the result stays deterministic (store it on the attempt: it is how the notify finds it).
 * Throws RangeError when the seller appid itself leaves no room or the attempt id has unsafe characters.
 */
export function outerTradeNo(sellerAppid: string, attemptId: string): string {
  const room = OUTER_TRADE_NO_MAX - sellerAppid.length;
  if (sellerAppid.length === 0 || room < 1) throw new RangeError('seller_appid leaves no room for an outer_trade_no');
  if (!ATTEMPT_ID_PATTERN.test(attemptId)) throw new RangeError(`attempt id must match ${ATTEMPT_ID_PATTERN}`);
  const suffix = attemptId.length <= room ? attemptId : createHash('sha1').update(attemptId, 'utf8').digest('hex').slice(0, room);
  const padding = Math.max(0, OUTER_TRADE_NO_MIN - sellerAppid.length - suffix.length);
  return `${sellerAppid}${'0'.repeat(padding)}${suffix}`;
}
