// The one error type of the H5's API layer: a ZF code (plus reason / remaining tries) with its Chinese text, and
// what the user can do about it (retry or not, the title of the error page).
import { errorMessage, isErrorCode } from '@zf/shared';
import type { ErrorBody, ErrorCode } from '@zf/shared';

/** No answer at all (offline, DNS, aborted): the user's network, not our system, so it says so. */
export const NETWORK_MESSAGE = '网络异常，请检查网络后重试';

/**
 * A link the partner built wrong (callback off its allow-list): the user cannot fix it and should not read the
 * partner's configuration, only that the link does not work; the code tells support the rest.
 */
export const BAD_LINK_MESSAGE = '链接无效，请返回重新进入';

/** Codes a retry of the same request cannot change: the link, the order's state, an unknown route. */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ZF0010',
  'ZF0020',
  'ZF0030',
  'ZF0040',
  'ZF0050',
  'ZF0060',
  'ZF0070',
  'ZF0080',
  'ZF0140',
  'ZF0160',
]);

/** A failed API call. `message` is the Chinese text from the shared catalogue, ready to show. */
export class ApiError extends Error {
  /** The ZF code; codes this build does not know are folded into ZF0130 (system busy). */
  readonly code: ErrorCode;
  /** Why a payment failed (`wrong_pin`, `insufficient_balance`, …), when the server says. */
  readonly reason: string | undefined;
  /** PIN tries left, with `reason: 'wrong_pin'`. */
  readonly remainingTries: number | undefined;
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** The server's request id, for support. */
  readonly requestId: string | undefined;
  /** No answer came (status 0 from fetch itself): shown as a network problem, still code ZF0130 for pollers. */
  readonly network: boolean;

  constructor(
    code: string,
    status: number,
    extra: { reason?: string; remainingTries?: number; requestId?: string; network?: boolean; message?: string } = {},
  ) {
    const known: ErrorCode = isErrorCode(code) ? code : 'ZF0130';
    super(
      extra.message ??
        (extra.network ? NETWORK_MESSAGE : known === 'ZF0030' ? BAD_LINK_MESSAGE : errorMessage(known, extra.reason, extra.remainingTries)),
    );
    this.network = extra.network ?? false;
    this.name = 'ApiError';
    this.code = known;
    this.reason = extra.reason;
    this.remainingTries = extra.remainingTries;
    this.status = status;
    this.requestId = extra.requestId;
  }

  /** The same error with another text for the user (same code, status and request id). */
  withMessage(message: string): ApiError {
    return new ApiError(this.code, this.status, {
      reason: this.reason,
      remainingTries: this.remainingTries,
      requestId: this.requestId,
      network: this.network,
      message,
    });
  }

  /** Builds the error from a non-2xx response body (an `ErrorBody`), tolerating bodies that are not one. */
  static fromBody(status: number, body: unknown): ApiError {
    if (typeof body !== 'object' || body === null) return new ApiError('ZF0130', status);
    const b = body as Partial<Record<keyof ErrorBody, unknown>>;
    return new ApiError(typeof b.code === 'string' ? b.code : 'ZF0130', status, {
      reason: typeof b.reason === 'string' ? b.reason : undefined,
      remainingTries: typeof b.remaining_tries === 'number' ? b.remaining_tries : undefined,
      requestId: typeof b.request_id === 'string' ? b.request_id : undefined,
    });
  }
}

/**
 * Anything thrown, as an ApiError. ApiErrors pass through; anything else is a bug on our side, so it is logged
 * and shown to the user as ZF0130 (system busy) rather than as a raw message.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  console.error('[zf] unexpected error', error);
  return new ApiError('ZF0130', 0);
}

/** Whether trying the same request again may help (a busy server, the network), unlike a refused link or order. */
export function isRetryable(error: ApiError | null): boolean {
  return error !== null && (error.network || !FINAL_CODES.has(error.code));
}

/** The title of a page that failed to load: what went wrong, in a word, instead of the page's own title. */
export function errorTitle(error: ApiError | null): string {
  if (!error) return '出错了';
  if (error.network) return '网络异常';
  switch (error.code) {
    case 'ZF0010':
    case 'ZF0020':
    case 'ZF0030':
      return '链接无效';
    case 'ZF0060':
    case 'ZF0140':
      return '订单不存在';
    case 'ZF0070':
      return '订单已关闭';
    case 'ZF0080':
      return '订单已支付';
    default:
      return '出错了';
  }
}
