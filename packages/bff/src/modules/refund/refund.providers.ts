// Asking the providers for the self-pay share back: Payzero's refund (status by polling `GET /order/refund`; its
// document defines no refund notify) and Guanaitong's synchronous syncRefund. Each answer is reduced to an outcome.
import { outerTradeNo } from '../../providers/guanaitong/client.ts';
import { GuanaitongError, type GuanaitongClient } from '../../providers/guanaitong/client.ts';
import { PayzeroError, type PayzeroClient, type PayzeroRefundResult } from '../../providers/payzero/client.ts';
import { PZ_CODES } from '../../providers/payzero/protocol.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import type { Refund } from './refund.table.ts';

/** The provider clients a refund may need (built once per deps by refund.integration.ts). */
export interface RefundProviders {
  payzero: () => PayzeroClient;
  guanaitong: () => GuanaitongClient;
  /** Guanaitong's seller appid: every `outer_refund_no` starts with it, like `outer_trade_no`. */
  sellerAppid: string;
}

/** What a provider said: done, refused (nothing refunded), or not known yet (ask again later). */
export interface ProviderAnswer {
  outcome: 'succeeded' | 'failed' | 'pending';
  status: string;
  detail: string | null;
}

/** The amount the provider gives back: the refund's self-pay share. */
const providerAmount = (r: Refund) => Number(r.self_pay_fen);

function fromPayzero(res: PayzeroRefundResult): ProviderAnswer {
  if (res.refundStatus === 'REFUND_SUCCEED') return { outcome: 'succeeded', status: res.refundStatus, detail: res.refundOrderNo };
  if (res.refundStatus === 'REFUND_FAILED') return { outcome: 'failed', status: res.refundStatus, detail: res.failReason };
  return { outcome: 'pending', status: res.refundStatus, detail: null };
}

function payzeroFailure(err: unknown): ProviderAnswer {
  if (err instanceof PayzeroError && !err.retryable)
    return { outcome: 'failed', status: `ERROR_${err.errorCode ?? err.kind}`, detail: err.message.slice(0, 255) };
  return { outcome: 'pending', status: 'UNKNOWN', detail: err instanceof Error ? err.message.slice(0, 255) : 'network error' };
}

/** `POST /order/refund` (idempotent by our `mchtRefundOrderNo`). */
export async function submitCardRefund(client: PayzeroClient, r: Refund, attempt: PaymentAttempt): Promise<ProviderAnswer> {
  try {
    const res = await client.requestRefund({
      mchtOrderNo: attempt.provider_ref ?? attempt.id,
      mchtRefundOrderNo: r.provider_ref ?? r.refund_no,
      refundAmountFen: providerAmount(r),
      reason: r.reason || '退款',
    });
    return fromPayzero(res);
  } catch (err) {
    return payzeroFailure(err);
  }
}

/** `GET /order/refund`; a refund Payzero does not know (our request was lost) is asked for again. */
export async function pollCardRefund(client: PayzeroClient, r: Refund, attempt: PaymentAttempt): Promise<ProviderAnswer> {
  try {
    return fromPayzero(await client.queryRefund(r.provider_ref ?? r.refund_no));
  } catch (err) {
    if (err instanceof PayzeroError && err.errorCode === PZ_CODES.ORDER_NOT_FOUND) return submitCardRefund(client, r, attempt);
    return payzeroFailure(err);
  }
}

/** syncRefund: code 0 → refunded; a business code → refused; no answer → unknown (asked again, same number). */
export async function guanaitongRefund(
  client: GuanaitongClient,
  sellerAppid: string,
  r: Refund,
  attempt: PaymentAttempt,
): Promise<ProviderAnswer> {
  try {
    const res = await client.syncRefund({
      outerTradeNo: attempt.provider_ref ?? '',
      outerRefundNo: r.provider_ref ?? outerTradeNo(sellerAppid, r.refund_no),
      refundAmountFen: providerAmount(r),
      reason: r.reason || '退款',
    });
    return { outcome: 'succeeded', status: 'REFUNDED', detail: res.refundNo };
  } catch (err) {
    if (err instanceof GuanaitongError) return { outcome: 'failed', status: `ERROR_${err.code}`, detail: err.msg.slice(0, 255) };
    return { outcome: 'pending', status: 'UNKNOWN', detail: err instanceof Error ? err.message.slice(0, 255) : 'network error' };
  }
}

/** The provider's reference of a new provider call for this refund. */
export function providerRefFor(r: Refund, sellerAppid: string): string | null {
  if (r.method === 'card') return r.refund_no;
  if (r.method === 'guanaitong') return outerTradeNo(sellerAppid, r.refund_no);
  return null;
}
