// The simulator's refund endpoints (`POST /order/refund`, `GET /order/refund?mchtRefundOrderNo=`): a refund of a paid
// order moves REFUND_INIT → REFUND_REQUESTED at once and to its final status after a delay.
//
// ASSUMPTIONS (the public document names the endpoints and statuses only): request `{mchtOrderNo, mchtRefundOrderNo,
// refundAmount (fen), reason}`; both answer the refund DTO of protocol.ts; idempotent by `mchtRefundOrderNo` (the same
// request again answers the refund as it is now, other parameters → 30002); refunds of an order never exceed its paid
// amount (30001); an unpaid order → 30001; an unknown order or refund → 30004. Behaviours, by design of this simulator:
// a refund whose amount ends in 13 fen (…x.13 yuan) FAILS; one of an order paid by a card ending 2222 is SLOW (8 s,
// scaled); every other succeeds after 1 s (scaled).
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../src/lib/clock.ts';
import {
  MCHT_ORDER_NO_PATTERN,
  PZ_CODES,
  PZ_PATHS,
  formatChinaCompact,
  type PayzeroRefundResult,
} from '../../src/providers/payzero/protocol.ts';
import type { SimulatedOrder, SimulatedRefund } from './simulator-types.ts';
import { SimFailure, envelope, parse, readJson } from './simulator-wire.ts';

/** Refund amounts ending in this many fen fail at the bank. */
export const PZ_REFUND_FAIL_FEN = 13;
/** Refunds of orders paid by this card tail take 8 s (scaled). */
export const PZ_REFUND_SLOW_TAIL = '2222';

export interface PayzeroRefundContext {
  clock: Clock;
  timeScale: number;
  orders: ReadonlyMap<string, SimulatedOrder>;
  refunds: Map<string, SimulatedRefund>;
  schedule(ms: number, fn: () => void): void;
}

const refundRequest = z.object({
  mchtOrderNo: z.string().regex(MCHT_ORDER_NO_PATTERN),
  mchtRefundOrderNo: z.string().regex(MCHT_ORDER_NO_PATTERN),
  refundAmount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  reason: z.string().max(200).nullish(),
});

/** Registers the two refund endpoints on `app`. */
export function registerPayzeroRefundRoutes(app: Hono, ctx: PayzeroRefundContext): void {
  const { clock, timeScale, orders, refunds, schedule } = ctx;
  let seq = 0;
  const dto = (r: SimulatedRefund): PayzeroRefundResult => ({ ...r });

  app.post(PZ_PATHS.refund, async (c) => {
    const req = parse(refundRequest, await readJson(c));
    const existing = refunds.get(req.mchtRefundOrderNo);
    if (existing) {
      if (existing.mchtOrderNo !== req.mchtOrderNo || existing.refundAmount !== req.refundAmount)
        throw new SimFailure(200, PZ_CODES.DUPLICATE_ORDER, `退款单 ${req.mchtRefundOrderNo} 已存在`);
      return c.json(envelope(true, dto(existing)));
    }
    const order = orders.get(req.mchtOrderNo);
    if (!order) throw new SimFailure(200, PZ_CODES.ORDER_NOT_FOUND, `订单 ${req.mchtOrderNo} 不存在`);
    if (order.payStatus !== 'PAY_SUCCEED') throw new SimFailure(200, PZ_CODES.INVALID_PARAMETER, '订单未支付成功，不能退款');
    const refunded = [...refunds.values()]
      .filter((r) => r.mchtOrderNo === order.mchtOrderNo && r.refundStatus !== 'REFUND_FAILED')
      .reduce((sum, r) => sum + r.refundAmount, 0);
    if (refunded + req.refundAmount > order.paymentAmount) throw new SimFailure(200, PZ_CODES.INVALID_PARAMETER, '退款金额超过可退金额');
    const refund: SimulatedRefund = {
      mchtRefundOrderNo: req.mchtRefundOrderNo,
      mchtOrderNo: req.mchtOrderNo,
      refundAmount: req.refundAmount,
      refundStatus: 'REFUND_INIT',
      refundOrderNo: null,
      refundDatetime: null,
      failReason: null,
      reason: req.reason ?? '',
    };
    refunds.set(refund.mchtRefundOrderNo, refund);
    refund.refundStatus = 'REFUND_REQUESTED'; // accepted by the bank at once
    const fails = req.refundAmount % 100 === PZ_REFUND_FAIL_FEN;
    const slow = order.payerCardNo?.endsWith(PZ_REFUND_SLOW_TAIL) ?? false;
    schedule((slow ? 8_000 : 1_000) * timeScale, () => {
      refund.refundDatetime = formatChinaCompact(clock.now());
      if (fails) {
        refund.refundStatus = 'REFUND_FAILED';
        refund.failReason = '银行退款失败';
      } else {
        refund.refundStatus = 'REFUND_SUCCEED';
        refund.refundOrderNo = `PZR${String(++seq).padStart(8, '0')}`;
      }
    });
    return c.json(envelope(true, dto(refund)));
  });

  app.get(PZ_PATHS.refund, (c) => {
    const no = c.req.query('mchtRefundOrderNo');
    if (!no) throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, '参数 mchtRefundOrderNo 未正确设置。');
    const refund = refunds.get(no);
    if (!refund) throw new SimFailure(200, PZ_CODES.ORDER_NOT_FOUND, `退款单 ${no} 不存在`);
    return c.json(envelope(true, dto(refund)));
  });
}
