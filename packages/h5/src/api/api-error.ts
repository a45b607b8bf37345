// The one error type of the H5's API layer: a ZF code (plus reason / remaining tries) with its Chinese text.
import { errorMessage, isErrorCode } from '@zf/shared';
import type { ErrorBody, ErrorCode } from '@zf/shared';

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

  constructor(code: string, status: number, extra: { reason?: string; remainingTries?: number; requestId?: string } = {}) {
    const known: ErrorCode = isErrorCode(code) ? code : 'ZF0130';
    super(errorMessage(known, extra.reason, extra.remainingTries));
    this.name = 'ApiError';
    this.code = known;
    this.reason = extra.reason;
    this.remainingTries = extra.remainingTries;
    this.status = status;
    this.requestId = extra.requestId;
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
