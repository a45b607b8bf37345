// The one domain error type: services throw it with a ZF code; the app's onError turns it into `{code}`.
import type { ErrorCode, FailureReason } from '@zf/shared';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { reason?: FailureReason; remaining_tries?: number } = {},
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'DomainError';
  }
}

export const fail = (code: ErrorCode, detail?: string, extra?: DomainError['extra']): never => {
  throw new DomainError(code, detail, extra);
};
