// The one error type of the Payzero client, and the mapping of every Payzero failure to ZF0090 with a reason token.
import type { FailureReason } from '@zf/shared';
import { PZ_CODE_TEXT, PZ_CODES, type PayzeroOrderResult } from './protocol.ts';

/**
 * What went wrong with a Payzero call:
 * - `invalid_request`: refused locally before sending (bad `mchtOrderNo`, amount, subject);
 * - `network` / `timeout`: no answer; for `createAndPay` the outcome is UNKNOWN (query before retrying);
 * - `http`: a non-2xx status (5xx and 429 are retryable, 4xx are not);
 * - `auth`: login refused, or 401 again right after a fresh login;
 * - `business`: HTTP 200 with `success: false` and an `errorCode` (50001, 50010, 50054, 50056, …);
 * - `malformed`: an answer that is not the documented envelope/shape;
 * - `pending`: polling gave up before the order reached a final status.
 */
export type PayzeroErrorKind = 'invalid_request' | 'network' | 'timeout' | 'http' | 'auth' | 'business' | 'malformed' | 'pending';

/** A failed Payzero call. `errorCode` is Payzero's own code (e.g. '50010') when it sent one. */
export class PayzeroError extends Error {
  readonly kind: PayzeroErrorKind;
  readonly errorCode: string | null;
  readonly httpStatus: number | null;
  /** True when trying again later can help (5xx, 429, network, timeout, pending). */
  readonly retryable: boolean;
  /** The endpoint path, e.g. `/order/createAndPay`. */
  readonly endpoint: string;

  constructor(init: {
    kind: PayzeroErrorKind;
    message: string;
    endpoint: string;
    errorCode?: string | null;
    httpStatus?: number | null;
    retryable?: boolean;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PayzeroError';
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.errorCode = init.errorCode ?? null;
    this.httpStatus = init.httpStatus ?? null;
    this.retryable = init.retryable ?? false;
  }
}

/** The reasons a card payment through Payzero can fail with, as enumerated in `@zf/shared` FAILURE_REASONS. */
export type PayzeroFailureReason = Extract<FailureReason, 'declined' | 'card_unavailable' | 'provider_error'>;

/** What the payment module records on the attempt and tells the user: always ZF0090, a reason token, a log text. */
export interface PayzeroFailure {
  zfCode: 'ZF0090';
  reason: PayzeroFailureReason;
  /** Precise, for the log and the attempt row only; never sent to the H5 or the partner. */
  internal: string;
}

// Which reason each documented code means for the user (§2.2, §2.6):
// 50001/50010: no usable signed card or agreement → pick another card or method;
// 50056: the card's recorded quota cannot cover the amount → like a decline, try another method;
// 50054: nothing to execute → an integration state problem on our side, not the user's card.
const CODE_REASON: Readonly<Record<string, PayzeroFailureReason>> = {
  [PZ_CODES.NO_SUPPORTED_CARD]: 'card_unavailable',
  [PZ_CODES.NO_SIGNED_CARD]: 'card_unavailable',
  [PZ_CODES.CARD_QUOTA_INSUFFICIENT]: 'declined',
  [PZ_CODES.NO_ORDERS_TO_EXECUTE]: 'provider_error',
};

/**
 * Maps any Payzero failure to ZF0090:
 * - a `PayzeroError` (by its `errorCode`, else its kind/status) → the code's reason, `provider_error` otherwise;
 * - a final `orderResultDto` (from a notify or a poll) or a bare pay status: `PAY_FAILED` / `PAY_CANCELLED` →
 *   `declined` (the bank refused; the provider's `initResponse` text goes into `internal`);
 * - anything else (an unexpected exception, a non-failure status) → `provider_error`.
 */
export function mapPayzeroFailure(input: PayzeroError | PayzeroOrderResult | string | unknown): PayzeroFailure {
  if (input instanceof PayzeroError) {
    const code = input.errorCode;
    const reason = (code !== null ? CODE_REASON[code] : undefined) ?? 'provider_error';
    const documented = code !== null ? PZ_CODE_TEXT[code] : undefined;
    const status = input.httpStatus !== null ? ` http ${input.httpStatus}` : '';
    const codeText = code !== null ? ` ${code}${documented ? ` (${documented})` : ''}` : '';
    return {
      zfCode: 'ZF0090',
      reason,
      internal: `payzero ${input.kind}${codeText}${status} on ${input.endpoint}: ${input.message}`,
    };
  }
  if (typeof input === 'string') return fromStatus(input, null, null);
  if (isOrderResult(input)) return fromStatus(input.payStatus, input.mchtOrderNo, input.initResponse);
  const message = input instanceof Error ? `${input.name}: ${input.message}` : String(input);
  return { zfCode: 'ZF0090', reason: 'provider_error', internal: `payzero unexpected failure: ${message}` };
}

function fromStatus(payStatus: string, mchtOrderNo: string | null, initResponse: string | null): PayzeroFailure {
  const order = mchtOrderNo ? ` for ${mchtOrderNo}` : '';
  const detail = initResponse ? `; provider response: ${initResponse}` : '';
  if (payStatus === 'PAY_FAILED' || payStatus === 'PAY_CANCELLED') {
    return { zfCode: 'ZF0090', reason: 'declined', internal: `payzero ${payStatus}${order}${detail}` };
  }
  return {
    zfCode: 'ZF0090',
    reason: 'provider_error',
    internal: `payzero status ${payStatus}${order} is not a failure status${detail}`,
  };
}

function isOrderResult(v: unknown): v is PayzeroOrderResult {
  return typeof v === 'object' && v !== null && 'payStatus' in v && 'mchtOrderNo' in v;
}
