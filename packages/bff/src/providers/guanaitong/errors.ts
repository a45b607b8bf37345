// The two ways a Guanaitong call fails: an envelope with a non-zero code, or no envelope at all.

/** A call answered with a non-zero envelope code. */
export class GuanaitongError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly path: string,
  ) {
    super(`guanaitong ${path} answered ${code}: ${msg}`);
    this.name = 'GuanaitongError';
  }
}

/** A call that got no envelope: network failure, timeout, non-2xx status or a body that is not the envelope. */
export class GuanaitongTransportError extends Error {
  constructor(
    readonly path: string,
    detail: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(`guanaitong ${path}: ${detail}`, options);
    this.name = 'GuanaitongTransportError';
  }
}
