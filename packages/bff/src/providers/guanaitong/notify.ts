// Verifying what Guanaitong sends us: the notify form POST and the return_url redirect's query (seed 001).
import { parseYuan } from '@zf/shared';
import type { Clock } from '../../lib/clock.ts';
import { GAT_TIMESTAMP_TOLERANCE_SEC, unixSeconds } from './protocol.ts';
import { verifySignedParams } from './sign.ts';

/** Why a notify or return redirect was refused. */
export type GuanaitongVerifyReason = 'malformed' | 'bad_signature' | 'stale_timestamp' | 'wrong_appid';

/** A refused notify or return redirect; answer a notify with `fail` and change nothing. */
export class GuanaitongVerifyError extends Error {
  constructor(
    readonly reason: GuanaitongVerifyReason,
    detail: string,
  ) {
    super(`guanaitong ${reason}: ${detail}`);
    this.name = 'GuanaitongVerifyError';
  }
}

/** Form fields or query parameters as received: URLSearchParams, FormData, or a record such as `c.req.query()`. */
export type ReceivedParams = URLSearchParams | FormData | Readonly<Record<string, unknown>>;

/** How to verify. */
export interface GuanaitongVerifyOptions {
  appsecret: string;
  clock: Clock;
  /** Our appid; when given, a message for another appid is refused (`wrong_appid`). */
  appid?: string;
  /** Allowed clock difference; default 300 s (seed 001's ±5 min). */
  toleranceSec?: number;
}

/** A verified notify: the trade succeeded at Guanaitong. Check `totalFen` against the order before settling. */
export interface GuanaitongNotify {
  appid: string;
  outerTradeNo: string;
  tradeNo: string;
  buyerOpenId: string;
  attach: string | null;
  /** `total_amount` as sent (yuan). */
  totalAmount: string;
  /** `total_amount` in fen, parsed exactly. */
  totalFen: number;
  /** Unix seconds. */
  timestamp: number;
}

/** A verified return_url redirect. It only says where the user came back from: the notify settles, never this. */
export interface GuanaitongReturn {
  appid: string;
  outerTradeNo: string;
  attach: string | null;
  payResult: 'success' | 'fail';
  timestamp: number;
}

const NOTIFY_REQUIRED = ['appid', 'outer_trade_no', 'buyer_open_id', 'total_amount', 'trade_no', 'timestamp', 'sign'] as const;
const RETURN_REQUIRED = ['appid', 'outer_trade_no', 'pay_result', 'timestamp', 'sign'] as const;
/** The documented return parameters; our own query parameters in return_url are not part of its signature. */
const RETURN_SIGNED = ['appid', 'outer_trade_no', 'attach', 'pay_result', 'timestamp', 'sign'] as const;

/** One string per key; repeated keys or non-string values (files) are malformed, not "first one wins". */
function toRecord(input: ReceivedParams): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, unknown]> =
    input instanceof URLSearchParams || input instanceof FormData ? input.entries() : Object.entries(input);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new GuanaitongVerifyError('malformed', `${key} is not a string`);
    if (Object.hasOwn(out, key)) throw new GuanaitongVerifyError('malformed', `${key} repeated`);
    out[key] = value;
  }
  return out;
}

function requireFields(params: Record<string, string>, names: readonly string[]): void {
  for (const name of names) {
    if ((params[name] ?? '').trim() === '') throw new GuanaitongVerifyError('malformed', `${name} missing`);
  }
}

function checkAppidAndTime(params: Record<string, string>, opts: GuanaitongVerifyOptions): number {
  const appid = params.appid ?? '';
  if (opts.appid !== undefined && appid.trim() !== opts.appid) throw new GuanaitongVerifyError('wrong_appid', appid);
  const raw = (params.timestamp ?? '').trim();
  if (!/^\d{1,12}$/.test(raw)) throw new GuanaitongVerifyError('malformed', 'timestamp not Unix seconds');
  const timestamp = Number(raw);
  const skew = Math.abs(unixSeconds(opts.clock.now()) - timestamp);
  if (skew > (opts.toleranceSec ?? GAT_TIMESTAMP_TOLERANCE_SEC)) {
    throw new GuanaitongVerifyError('stale_timestamp', `${skew} s off`);
  }
  return timestamp;
}

function optional(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

/**
 * Verifies a notify form (all received fields are signed, as the sender signs all it sends), its appid and its
 * timestamp (±5 min). Returns the typed notify or throws {@link GuanaitongVerifyError}.
 */
export function verifyNotify(form: ReceivedParams, opts: GuanaitongVerifyOptions): GuanaitongNotify {
  const params = toRecord(form);
  requireFields(params, NOTIFY_REQUIRED);
  if (!verifySignedParams(params, opts.appsecret)) throw new GuanaitongVerifyError('bad_signature', 'notify sign mismatch');
  const timestamp = checkAppidAndTime(params, opts);
  const totalAmount = (params.total_amount ?? '').trim();
  const totalFen = parseYuan(totalAmount);
  if (totalFen === null || totalFen <= 0) throw new GuanaitongVerifyError('malformed', `total_amount ${totalAmount}`);
  return {
    appid: (params.appid ?? '').trim(),
    outerTradeNo: (params.outer_trade_no ?? '').trim(),
    tradeNo: (params.trade_no ?? '').trim(),
    buyerOpenId: (params.buyer_open_id ?? '').trim(),
    attach: optional(params.attach),
    totalAmount,
    totalFen,
    timestamp,
  };
}

/**
 * Verifies the query of a return_url redirect. The signature is checked over the documented parameters (so our own
 * parameters in return_url do not matter) and, failing that, over every parameter, in case the service signs the
 * whole query. Throws {@link GuanaitongVerifyError}. Never settle on this: `pay_result` only picks the page to show.
 */
export function verifyReturnParams(query: ReceivedParams, opts: GuanaitongVerifyOptions): GuanaitongReturn {
  const params = toRecord(query);
  requireFields(params, RETURN_REQUIRED);
  const documented: Record<string, string> = {};
  for (const key of RETURN_SIGNED) {
    const value = params[key];
    if (value !== undefined) documented[key] = value;
  }
  if (!verifySignedParams(documented, opts.appsecret) && !verifySignedParams(params, opts.appsecret)) {
    throw new GuanaitongVerifyError('bad_signature', 'return sign mismatch');
  }
  const timestamp = checkAppidAndTime(params, opts);
  const payResult = (params.pay_result ?? '').trim();
  if (payResult !== 'success' && payResult !== 'fail') throw new GuanaitongVerifyError('malformed', `pay_result ${payResult}`);
  return {
    appid: (params.appid ?? '').trim(),
    outerTradeNo: (params.outer_trade_no ?? '').trim(),
    attach: optional(params.attach),
    payResult,
    timestamp,
  };
}
