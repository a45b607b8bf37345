// The Guanaitong client's configuration and logger, and the shapes of checkUserAndToPay and the employee's assets.
import type { Clock } from '../../lib/clock.ts';
import type { TradeInfo } from './trade.ts';

/** The subset of a pino logger the client uses. */
export interface GuanaitongLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: GuanaitongLogger = { info: () => undefined, warn: () => undefined };

/** Configuration of a {@link GuanaitongClient}. */
export interface GuanaitongClientOptions {
  /** `https://openapi.guanaitong.com`, the test host, or the simulator's URL. */
  baseUrl: string;
  appid: string;
  appsecret: string;
  clock?: Clock;
  fetch?: typeof fetch;
  logger?: GuanaitongLogger;
  /** Common parameter `version`; default `1.0.0`. */
  version?: string;
  /** Fraction of `expires_in` after which the token is renewed; default 0.8. */
  renewRatio?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

/** checkUserAndToPay input; amounts in fen. */
export interface CheckUserAndToPayRequest {
  /** The employee's auth code from the trusted login (40 hex, single use, 1 minute). */
  authCode: string;
  sellerAppid: string;
  /** From {@link outerTradeNo}: starts with `sellerAppid`, 10–30 chars, new for every attempt. */
  outerTradeNo: string;
  /** 1 points, 2 quota. */
  payType: 1 | 2;
  /** Amount in fen, sent as `point` in yuan ("10.20"). */
  pointFen: number;
  /** 下单原因, 1–254 chars. */
  reason: string;
  /** The quota asset to pay from; required by the service for pay_type 2 when the employee has several. */
  accountOpenid?: string;
  /** Where the browser comes back to (our result page), ≤ 2000 chars. */
  returnUrl: string;
  /** Our notify endpoint, ≤ 254 chars. */
  notifyUrl: string;
  /** Echoed back in return and notify, ≤ 100 chars. */
  attach?: string;
  tradeInfo: TradeInfo;
}

/** checkUserAndToPay result: where to send the browser. */
export interface CheckUserAndToPayResult {
  /** Guanaitong's trade number, when the answer carries one (the notify always does). */
  tradeNo: string | null;
  cashierUrl: string;
}

/** An employee asset (simulator stand-in for the 员工资产接口). */
export interface GuanaitongAsset {
  type: 'points' | 'quota';
  accountOpenid: string;
  name: string;
  balanceFen: number;
}

/** The employee behind an auth code, with the assets to pick from. */
export interface GuanaitongEmployeeAssets {
  buyerOpenId: string;
  assets: GuanaitongAsset[];
}
