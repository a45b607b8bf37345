// Wire facts of the Guanaitong open API shared by the client and the simulator: error codes, envelope, paths, limits.

/** Error codes of the envelope's `code` (PROVIDERS.md), plus one the documents leave out (see INSUFFICIENT_BALANCE). */
export const GAT_CODES = {
  OK: 0,
  TIMESTAMP: 1000210001,
  SIGN: 1000210002,
  APP_INFO: 1000210003,
  TOKEN: 1000210004,
  NOT_FOUND: 1000210005,
  PARAM_CHECK: 1000210006,
  APPSECRET_SENT: 1000210009,
  NO_TOKEN: 1000210013,
  AUTH_CODE_INVALID: 1000210014,
  AUTH_CODE_NEEDED: 1000210015,
  IP_NOT_ALLOWED: 1000200050,
  FREQUENCY: 1000200052,
  LENGTH: 1000220001,
  VALUE: 1000220002,
  EXISTS: 1000220003,
  /**
   * ASSUMPTION: neither seed 001 nor PROVIDERS.md names the code for "the employee's points or quota do not cover
   * the amount". The simulator answers this one (next in the 100022000x family of business-value errors) so the BFF
   * can tell "insufficient balance" apart; against the real service an unknown non-zero code is just a failed payment.
   */
  INSUFFICIENT_BALANCE: 1000220004,
  SYSTEM: 1000310010,
} as const;

/** The response envelope of every Guanaitong API call: `code` 0 is success. */
export interface GatEnvelope<T = unknown> {
  code: number;
  msg: string;
  data: T | null;
}

/** API paths (the simulator serves the same ones). */
export const GAT_PATHS = {
  token: '/token/create',
  checkUserAndToPay: '/employee/checkUserAndToPay',
  authCodeByMobile: '/sso/employee/getAuthCodeByMobile',
  /** Simulator stand-in for the real 员工资产接口 (see simulator.ts). */
  assets: '/employee/assets',
  /** Simulator stand-in for the browser side of the trusted login (see simulator.ts). */
  ssoLogin: '/sso/login',
  /** Synchronous refund of a paid trade (PROVIDERS.md). */
  syncRefund: '/seller/pay/syncRefund',
} as const;

/** Timestamps (Unix seconds) further than this from now are refused, by them and by us. */
export const GAT_TIMESTAMP_TOLERANCE_SEC = 300;

/** Lifetime of an access token (`expires_in`). */
export const GAT_TOKEN_LIFETIME_SEC = 3600;

/** `/token/create` calls allowed per appid and hour. */
export const GAT_TOKEN_CALLS_PER_HOUR = 60;

/** Resend delays of the notify after the first attempt, when it is not answered `success` (PROVIDERS.md). */
export const GAT_NOTIFY_RESEND_DELAYS_MS: readonly number[] = [
  4 * 60_000,
  4 * 60_000,
  10 * 60_000,
  10 * 60_000,
  3_600_000,
  2 * 3_600_000,
  6 * 3_600_000,
  15 * 3_600_000,
];

/** `outer_trade_no` length bounds (seed 001: `[10,30]`, starting with `seller_appid`). */
export const OUTER_TRADE_NO_MIN = 10;
export const OUTER_TRADE_NO_MAX = 30;

/** The only body a notify receiver may answer to acknowledge it; anything else makes Guanaitong resend. */
export const NOTIFY_ACK = 'success';
/** What a notify receiver answers to a bad notify (seed 001). */
export const NOTIFY_NACK = 'fail';

/** Unix seconds of a clock reading in ms. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
