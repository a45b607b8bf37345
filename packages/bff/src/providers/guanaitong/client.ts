// The BFF's Guanaitong client: signed calls, the shared access token, checkUserAndToPay, and the verifiers the
// payment module needs for notify_url and return_url. Works against the real service with only config changed.
import { formatYuan, parseYuan } from '@zf/shared';
import { z } from 'zod';
import { systemClock, type Clock } from '../../lib/clock.ts';
import {
  silentLogger,
  type CheckUserAndToPayRequest,
  type CheckUserAndToPayResult,
  type GuanaitongClientOptions,
  type GuanaitongEmployeeAssets,
  type GuanaitongLogger,
} from './client-types.ts';
import { GuanaitongError, GuanaitongTransportError } from './errors.ts';
import { verifyNotify, verifyReturnParams, type GuanaitongNotify, type GuanaitongReturn, type ReceivedParams } from './notify.ts';
import { GAT_CODES, GAT_PATHS, unixSeconds } from './protocol.ts';
import { signParams } from './sign.ts';
import { serializeTradeInfo } from './trade.ts';

export { buildTradeInfo, outerTradeNo, serializeTradeInfo } from './trade.ts';
export type { TradeInfo, TradeInfoGoods, TradeInfoOrder } from './trade.ts';
export { verifyNotify, verifyReturnParams, GuanaitongVerifyError } from './notify.ts';
export type { GuanaitongNotify, GuanaitongReturn, GuanaitongVerifyOptions, GuanaitongVerifyReason, ReceivedParams } from './notify.ts';
export { GAT_CODES, NOTIFY_ACK, NOTIFY_NACK } from './protocol.ts';
export { guanaitongNotifyHandler } from './notify-handler.ts';
export type { GuanaitongNotifyHandlerDeps } from './notify-handler.ts';
export { GuanaitongError, GuanaitongTransportError } from './errors.ts';
export type {
  CheckUserAndToPayRequest,
  CheckUserAndToPayResult,
  GuanaitongAsset,
  GuanaitongClientOptions,
  GuanaitongEmployeeAssets,
  GuanaitongLogger,
} from './client-types.ts';

const EnvelopeSchema = z.object({ code: z.coerce.number().int(), msg: z.string().nullish(), data: z.unknown() });
const TokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const PayDataSchema = z.union([
  z.url().transform((cashierUrl) => ({ tradeNo: null, cashierUrl })),
  z.object({ trade_no: z.union([z.string(), z.number()]).nullish(), cashier_url: z.url() }).transform((d) => ({
    tradeNo: d.trade_no === null || d.trade_no === undefined ? null : String(d.trade_no),
    cashierUrl: d.cashier_url,
  })),
]);
const yuanToFen = z.string().transform((v, ctx) => {
  const fen = parseYuan(v);
  if (fen === null) {
    ctx.addIssue({ code: 'custom', message: `not a yuan amount: ${v}` });
    return z.NEVER;
  }
  return fen;
});
/** ASSUMPTION: PROVIDERS.md names syncRefund's request, not its answer; code 0 means refunded, with these fields. */
const RefundDataSchema = z.object({
  refund_no: z.coerce.string().min(1),
  outer_refund_no: z.string().min(1),
  refund_amount: z.coerce.string(),
});

const AssetsSchema = z.object({
  buyer_open_id: z.string().min(1),
  assets: z.array(z.object({ type: z.enum(['points', 'quota']), account_openid: z.string().min(1), name: z.string(), balance: yuanToFen })),
});

interface CachedToken {
  token: string;
  renewAtMs: number;
  expiresAtMs: number;
}

/** Codes after which the token is renewed and the call retried once. */
const TOKEN_RETRY_CODES: ReadonlySet<number> = new Set([GAT_CODES.TOKEN, GAT_CODES.NO_TOKEN]);

/**
 * Guanaitong open API client. The access token is cached, renewed at 80 % of its life, shared by concurrent callers
 * (one `/token/create` in flight at a time: the service allows 60 an hour), and renewed once more when a call is
 * answered 1000210004 (or 1000210013), after which that call is retried once.
 */
export class GuanaitongClient {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly fetchFn: typeof fetch;
  private readonly logger: GuanaitongLogger;
  private readonly version: string;
  private readonly renewRatio: number;
  private readonly timeoutMs: number;
  private cached: CachedToken | null = null;
  private inflight: Promise<CachedToken> | null = null;

  constructor(private readonly opts: GuanaitongClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.clock = opts.clock ?? systemClock;
    this.fetchFn = opts.fetch ?? fetch;
    this.logger = opts.logger ?? silentLogger;
    this.version = opts.version ?? '1.0.0';
    this.renewRatio = opts.renewRatio ?? 0.8;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The current access token, requesting one when none is cached or the cached one is due for renewal. */
  async getAccessToken(): Promise<string> {
    const current = this.cached;
    const now = this.clock.now();
    if (current && now < current.renewAtMs) return current.token;
    try {
      return (await this.renewShared()).token;
    } catch (err) {
      // Renewal is early on purpose; a still-valid token beats failing the payment (e.g. when rate limited).
      if (current && this.clock.now() < current.expiresAtMs) {
        this.logger.warn({ err: String(err) }, 'guanaitong token renewal failed; using the still-valid token');
        return current.token;
      }
      throw err;
    }
  }

  /**
   * A signed business call: public parameters (`access_token`, `timestamp`, `version`, `sign`) in the query,
   * business parameters in the form body, the signature over both. Returns the envelope's `data`.
   * Throws {@link GuanaitongError} or {@link GuanaitongTransportError}.
   */
  async call(path: string, business: Readonly<Record<string, string | undefined>>): Promise<unknown> {
    const token = await this.getAccessToken();
    try {
      return await this.send(path, business, token);
    } catch (err) {
      if (!(err instanceof GuanaitongError) || !TOKEN_RETRY_CODES.has(err.code)) throw err;
      this.logger.warn({ path, code: err.code }, 'guanaitong token refused; renewing and retrying once');
      // Only drop the token that failed: a concurrent caller may already have renewed it.
      if (this.cached?.token === token) this.cached = null;
      return await this.send(path, business, await this.getAccessToken());
    }
  }

  /** Creates the payment and returns the cashier URL to send the employee's browser to. */
  async checkUserAndToPay(req: CheckUserAndToPayRequest): Promise<CheckUserAndToPayResult> {
    const data = await this.call(GAT_PATHS.checkUserAndToPay, {
      auth_code: req.authCode,
      seller_appid: req.sellerAppid,
      outer_trade_no: req.outerTradeNo,
      pay_type: String(req.payType),
      point: formatYuan(req.pointFen),
      reason: req.reason,
      account_openid: req.accountOpenid,
      return_url: req.returnUrl,
      notify_url: req.notifyUrl,
      attach: req.attach,
      trade_info: serializeTradeInfo(req.tradeInfo),
    });
    return this.parse(GAT_PATHS.checkUserAndToPay, PayDataSchema, data);
  }

  /**
   * Refunds (part of) a paid trade at once (`POST /seller/pay/syncRefund`), idempotent by `outer_refund_no`: code 0
   * is a refund done; a business code (GuanaitongError) is a refusal, nothing refunded; a transport error leaves it
   * unknown (ask again with the same `outer_refund_no`).
   */
  async syncRefund(req: {
    outerTradeNo: string;
    outerRefundNo: string;
    refundAmountFen: number;
    reason: string;
  }): Promise<{ refundNo: string; outerRefundNo: string }> {
    const data = await this.call(GAT_PATHS.syncRefund, {
      outer_trade_no: req.outerTradeNo,
      outer_refund_no: req.outerRefundNo,
      refund_amount: formatYuan(req.refundAmountFen),
      reason: req.reason,
    });
    const parsed = this.parse(GAT_PATHS.syncRefund, RefundDataSchema, data);
    return { refundNo: parsed.refund_no, outerRefundNo: parsed.outer_refund_no };
  }

  /**
   * The employee behind an auth code and their assets, for the quota picker. Does not use up the auth code.
   * ASSUMPTION: simulator stand-in for the real 员工资产接口 (its path and shape are not in our documents).
   */
  async getEmployeeAssets(authCode: string): Promise<GuanaitongEmployeeAssets> {
    const data = this.parse(GAT_PATHS.assets, AssetsSchema, await this.call(GAT_PATHS.assets, { auth_code: authCode }));
    return {
      buyerOpenId: data.buyer_open_id,
      assets: data.assets.map((a) => ({ type: a.type, accountOpenid: a.account_openid, name: a.name, balanceFen: a.balance })),
    };
  }

  /** Server-side trusted login (PROVIDERS.md): an auth code for an employee by mobile number. */
  async getAuthCodeByMobile(input: { mobile: string; enterpriseCode: string; mobileArea?: string }): Promise<string> {
    const data = await this.call(GAT_PATHS.authCodeByMobile, {
      mobile: input.mobile,
      mobile_area: input.mobileArea ?? '86',
      enterprise_code: input.enterpriseCode,
    });
    return this.parse(GAT_PATHS.authCodeByMobile, z.string().regex(/^[0-9A-Fa-f]{40}$/), data);
  }

  /**
   * The browser login page that sends the employee back to `redirectUri` with `auth_code` and `state`.
   * ASSUMPTION: the simulator's stand-in for the trusted-login redirect (see simulator.ts).
   */
  loginUrl(input: { redirectUri: string; state: string }): string {
    const q = new URLSearchParams({ appid: this.opts.appid, redirect_uri: input.redirectUri, state: input.state });
    return `${this.baseUrl}${GAT_PATHS.ssoLogin}?${q.toString()}`;
  }

  /** {@link verifyNotify} with this client's appid, secret and clock. */
  verifyNotify(form: ReceivedParams): GuanaitongNotify {
    return verifyNotify(form, { appsecret: this.opts.appsecret, clock: this.clock, appid: this.opts.appid });
  }

  /** {@link verifyReturnParams} with this client's appid, secret and clock. */
  verifyReturnParams(query: ReceivedParams): GuanaitongReturn {
    return verifyReturnParams(query, { appsecret: this.opts.appsecret, clock: this.clock, appid: this.opts.appid });
  }

  private renewShared(): Promise<CachedToken> {
    this.inflight ??= this.requestToken().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async requestToken(): Promise<CachedToken> {
    const startedAt = this.clock.now();
    const form: Record<string, string> = {
      appid: this.opts.appid,
      grant_type: 'client_credential',
      timestamp: String(unixSeconds(startedAt)),
    };
    form.sign = signParams(form, this.opts.appsecret);
    const data = this.parse(GAT_PATHS.token, TokenSchema, await this.post(GAT_PATHS.token, new URLSearchParams(), form));
    // Timed from the request's start, so network delay only makes us renew earlier.
    const lifeMs = data.expires_in * 1000;
    const token = { token: data.access_token, renewAtMs: startedAt + lifeMs * this.renewRatio, expiresAtMs: startedAt + lifeMs };
    this.cached = token;
    this.logger.info({ expires_in: data.expires_in }, 'guanaitong access token renewed');
    return token;
  }

  private async send(path: string, business: Readonly<Record<string, string | undefined>>, token: string): Promise<unknown> {
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(business)) if (v !== undefined && v !== '') body[k] = v;
    const query: Record<string, string> = {
      access_token: token,
      timestamp: String(unixSeconds(this.clock.now())),
      version: this.version,
    };
    query.sign = signParams({ ...body, ...query }, this.opts.appsecret);
    return this.post(path, new URLSearchParams(query), body);
  }

  private async post(path: string, query: URLSearchParams, form: Record<string, string>): Promise<unknown> {
    const qs = query.toString();
    const url = `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'POST',
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GuanaitongTransportError(path, 'request failed', null, { cause: err });
    }
    if (!res.ok) throw new GuanaitongTransportError(path, `HTTP ${res.status}`, res.status);
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      throw new GuanaitongTransportError(path, 'response is not JSON', res.status, { cause: err });
    }
    const envelope = EnvelopeSchema.safeParse(json);
    if (!envelope.success) throw new GuanaitongTransportError(path, 'response is not the {code,msg,data} envelope', res.status);
    if (envelope.data.code !== GAT_CODES.OK) throw new GuanaitongError(envelope.data.code, envelope.data.msg ?? '', path);
    return envelope.data.data;
  }

  private parse<S extends z.ZodType>(path: string, schema: S, data: unknown): z.output<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new GuanaitongTransportError(path, `unexpected data: ${parsed.error.message}`, null);
    return parsed.data;
  }
}
