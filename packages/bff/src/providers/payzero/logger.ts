// The structured logger the Payzero client and notify route write to (a type both import, so neither imports the other).

/** Structured logging, pino-compatible (`logger.warn({ ... }, 'message')`). */
export interface PayzeroLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: PayzeroLogger = { info: () => {}, warn: () => {}, error: () => {} };
