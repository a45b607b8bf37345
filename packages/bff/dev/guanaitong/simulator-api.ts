// The simulator's open API: the gateway checks of the common parameters (access_token, timestamp, sign) and the
// token, auth-code, assets and checkUserAndToPay endpoints.
import { formatYuan, parseYuan } from '@zf/shared';
import type { Context, Hono } from 'hono';
import type { Clock } from '../../src/lib/clock.ts';
import type { RandomSource } from '../../src/lib/ids.ts';
import {
  GAT_CODES,
  GAT_PATHS,
  GAT_TIMESTAMP_TOLERANCE_SEC,
  unixSeconds,
  type GatEnvelope,
} from '../../src/providers/guanaitong/protocol.ts';
import { verifySignedParams } from '../../src/providers/guanaitong/sign.ts';
import type { SimState } from './simulator-state.ts';
import type { App, SimTrade } from './simulator-types.ts';
import { GatRejection, validatePayParams } from './simulator-validate.ts';

/** What the API endpoints need. */
export interface ApiContext {
  state: SimState;
  gatApp: App;
  clock: Clock;
  random: RandomSource;
  tokenLifetimeMs: number;
  tokenCallsPerHour: number;
  /** Base URL of cashier_url; default the origin the call came to. */
  publicUrl: string | undefined;
  /** How long a slow refund (amount ending in 77 fen) takes to answer, unscaled (default 15 s). */
  refundSlowMs?: number;
}

/** syncRefund behaviours of this simulator: an amount ending in 13 fen is refused, one ending in 77 fen answers late. */
export const GAT_REFUND_FAIL_FEN = 13;
export const GAT_REFUND_SLOW_FEN = 77;

/** Registers the API endpoints on `app`. */
export function registerApi(app: Hono, ctx: ApiContext): void {
  const { state, gatApp, clock, random, tokenLifetimeMs, tokenCallsPerHour } = ctx;
  const { tokens, tokenIssueTimes, trades, tradeByOuter, employeeOf, issueAuthCode, liveAuthCode, fundsOf, newTradeNo } = state;

  // ---- the gateway: common parameters ---------------------------------------------------------------------------

  async function readParams(c: Context): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const add = (key: string, value: unknown) => {
      if (typeof value !== 'string') throw new GatRejection(GAT_CODES.PARAM_CHECK, `${key}不能为文件`);
      if (Object.hasOwn(out, key)) throw new GatRejection(GAT_CODES.PARAM_CHECK, `参数${key}重复`);
      out[key] = value;
    };
    for (const [key, value] of new URL(c.req.url).searchParams) add(key, value);
    const type = c.req.header('content-type') ?? '';
    if (c.req.method === 'POST' && /application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) {
      for (const [key, value] of await c.req.formData()) add(key, value);
    }
    if (Object.hasOwn(out, 'appsecret')) throw new GatRejection(GAT_CODES.APPSECRET_SENT, '参数中不能包含appsecret');
    return out;
  }

  function checkTimestamp(params: Record<string, string>): void {
    const raw = params.timestamp?.trim() ?? '';
    const ok = /^\d{1,12}$/.test(raw) && Math.abs(unixSeconds(clock.now()) - Number(raw)) <= GAT_TIMESTAMP_TOLERANCE_SEC;
    if (!ok) throw new GatRejection(GAT_CODES.TIMESTAMP, 'timestamp错误或已过期');
  }

  function checkSign(params: Record<string, string>, app: App): void {
    if (!verifySignedParams(params, app.appsecret)) throw new GatRejection(GAT_CODES.SIGN, '签名错误');
  }

  /** access_token → timestamp → sign, as a gateway in front of every business API. */
  async function authenticated(c: Context): Promise<{ params: Record<string, string>; app: App }> {
    const params = await readParams(c);
    const token = params.access_token?.trim();
    if (!token) throw new GatRejection(GAT_CODES.NO_TOKEN, '缺少access_token');
    const entry = tokens.get(token);
    if (!entry || clock.now() >= entry.expiresAt) throw new GatRejection(GAT_CODES.TOKEN, 'access_token无效或已过期');
    checkTimestamp(params);
    checkSign(params, gatApp);
    return { params, app: gatApp };
  }

  const ok = <T>(c: Context, data: T) => c.json<GatEnvelope<T>>({ code: GAT_CODES.OK, msg: 'OK', data });

  app.post(GAT_PATHS.token, async (c) => {
    state.counters.tokenRequests += 1;
    const params = await readParams(c);
    const appid = params.appid?.trim();
    if (!appid) throw new GatRejection(GAT_CODES.PARAM_CHECK, '缺少appid');
    if (appid !== gatApp.appid) throw new GatRejection(GAT_CODES.APP_INFO, '应用信息错误');
    const grantType = params.grant_type?.trim();
    if (!grantType) throw new GatRejection(GAT_CODES.PARAM_CHECK, '缺少grant_type');
    if (grantType !== 'client_credential') throw new GatRejection(GAT_CODES.VALUE, 'grant_type错误');
    checkTimestamp(params);
    checkSign(params, gatApp);
    const now = clock.now();
    while (tokenIssueTimes.length > 0 && (tokenIssueTimes[0] ?? 0) <= now - 3_600_000) tokenIssueTimes.shift();
    if (tokenIssueTimes.length >= tokenCallsPerHour) throw new GatRejection(GAT_CODES.FREQUENCY, '调用频率超过限制');
    tokenIssueTimes.push(now);
    const accessToken = random.hex(16);
    tokens.set(accessToken, { appid, expiresAt: now + tokenLifetimeMs });
    state.counters.tokensIssued += 1;
    return ok(c, { access_token: accessToken, expires_in: Math.floor(tokenLifetimeMs / 1000) });
  });

  app.post(GAT_PATHS.authCodeByMobile, async (c) => {
    const { params, app: caller } = await authenticated(c);
    const mobile = params.mobile?.trim();
    if (!mobile || !params.enterprise_code?.trim()) throw new GatRejection(GAT_CODES.PARAM_CHECK, '缺少mobile或enterprise_code');
    if (!/^\d{5,20}$/.test(mobile)) throw new GatRejection(GAT_CODES.VALUE, 'mobile格式错误');
    return ok(c, issueAuthCode(caller.appid, mobile));
  });

  app.on(['GET', 'POST'], GAT_PATHS.assets, async (c) => {
    const { params, app: caller } = await authenticated(c);
    const code = params.auth_code?.trim();
    if (!code) throw new GatRejection(GAT_CODES.AUTH_CODE_NEEDED, '缺少auth_code');
    const employee = employeeOf(liveAuthCode(code, caller.appid).login);
    return ok(c, {
      buyer_open_id: employee.openId,
      assets: [
        { type: 'points', account_openid: employee.pointsAccountOpenid, name: '积分', balance: formatYuan(employee.pointsFen) },
        ...employee.quotas.map((q) => ({
          type: 'quota',
          account_openid: q.accountOpenid,
          name: q.name,
          balance: formatYuan(q.balanceFen),
        })),
      ],
    });
  });

  app.post(GAT_PATHS.checkUserAndToPay, async (c) => {
    const { params, app: caller } = await authenticated(c);
    const p = validatePayParams(params);
    if (!caller.sellers.has(p.sellerAppid)) throw new GatRejection(GAT_CODES.VALUE, 'seller_appid不存在');
    const code = liveAuthCode(p.authCode, caller.appid);
    const outerKey = `${p.sellerAppid}:${p.outerTradeNo}`;
    if (tradeByOuter.has(outerKey)) throw new GatRejection(GAT_CODES.EXISTS, 'outer_trade_no已存在');
    const employee = employeeOf(code.login);
    let accountOpenid: string | null = null;
    if (p.payType === 2) {
      if (employee.quotas.length === 0) throw new GatRejection(GAT_CODES.VALUE, '员工没有额度资产');
      if (p.accountOpenid === null) {
        if (employee.quotas.length > 1) throw new GatRejection(GAT_CODES.PARAM_CHECK, '员工有多个额度资产，account_openid不能为空');
        accountOpenid = employee.quotas[0]?.accountOpenid ?? null;
      } else {
        if (!employee.quotas.some((q) => q.accountOpenid === p.accountOpenid)) {
          throw new GatRejection(GAT_CODES.VALUE, 'account_openid不存在');
        }
        accountOpenid = p.accountOpenid;
      }
    }
    const funds = fundsOf({ employeeLogin: employee.login, payType: p.payType, accountOpenid });
    if (funds.balanceFen < p.amountFen) throw new GatRejection(GAT_CODES.INSUFFICIENT_BALANCE, '余额不足');

    code.used = true;
    const trade: SimTrade = {
      tradeNo: newTradeNo(),
      outerTradeNo: p.outerTradeNo,
      appid: caller.appid,
      sellerAppid: p.sellerAppid,
      employeeLogin: employee.login,
      payType: p.payType,
      accountOpenid,
      amountFen: p.amountFen,
      reason: p.reason,
      returnUrl: p.returnUrl,
      notifyUrl: p.notifyUrl,
      attach: p.attach,
      tradeInfo: p.tradeInfo,
      status: 'created',
      cashierToken: random.hex(16),
      createdAt: clock.now(),
      paidAt: null,
    };
    trades.set(trade.tradeNo, trade);
    tradeByOuter.set(outerKey, trade.tradeNo);
    const base = (ctx.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    const cashierUrl = `${base}/cashier?${new URLSearchParams({ trade_no: trade.tradeNo, t: trade.cashierToken }).toString()}`;
    return ok(c, { trade_no: trade.tradeNo, outer_trade_no: trade.outerTradeNo, cashier_url: cashierUrl });
  });

  // ASSUMPTION: PROVIDERS.md lists syncRefund's parameters (outer_trade_no, outer_refund_no, reason, refund_amount in
  // yuan); the answer {refund_no, outer_refund_no, refund_amount}, idempotency by outer_refund_no (the same request
  // answers the same refund; other parameters → 1000220003), 1000220002 for an unpaid/unknown trade or an amount over
  // what is left, are this simulator's. The refund goes back to the asset the trade was paid from.
  const refunds = new Map<string, { tradeNo: string; amountFen: number; refundNo: string }>();
  let refundSeq = 0;
  app.post(GAT_PATHS.syncRefund, async (c) => {
    const { params } = await authenticated(c);
    const outerTradeNo = params.outer_trade_no?.trim() ?? '';
    const outerRefundNo = params.outer_refund_no?.trim() ?? '';
    const amountFen = parseYuan(params.refund_amount?.trim() ?? '');
    if (!outerTradeNo || !outerRefundNo || amountFen === null || amountFen <= 0)
      throw new GatRejection(GAT_CODES.PARAM_CHECK, '缺少或错误的退款参数');
    const trade = [...trades.values()].find((t) => t.outerTradeNo === outerTradeNo);
    if (!trade || trade.status !== 'paid') throw new GatRejection(GAT_CODES.VALUE, '交易不存在或未支付');
    const answer = (r: { amountFen: number; refundNo: string }) =>
      ok(c, { refund_no: r.refundNo, outer_refund_no: outerRefundNo, refund_amount: formatYuan(r.amountFen) });
    const prior = refunds.get(outerRefundNo);
    if (prior) {
      if (prior.tradeNo !== trade.tradeNo || prior.amountFen !== amountFen)
        throw new GatRejection(GAT_CODES.EXISTS, 'outer_refund_no已存在');
      return answer(prior);
    }
    if (amountFen % 100 === GAT_REFUND_FAIL_FEN) throw new GatRejection(GAT_CODES.VALUE, '该交易暂不支持退款');
    const refunded = [...refunds.values()].filter((r) => r.tradeNo === trade.tradeNo).reduce((sum, r) => sum + r.amountFen, 0);
    if (refunded + amountFen > trade.amountFen) throw new GatRejection(GAT_CODES.VALUE, '退款金额超过可退金额');
    const refund = { tradeNo: trade.tradeNo, amountFen, refundNo: `R${trade.tradeNo}${String(++refundSeq).padStart(3, '0')}` };
    refunds.set(outerRefundNo, refund);
    fundsOf(trade).debit(-amountFen);
    if (amountFen % 100 === GAT_REFUND_SLOW_FEN) await new Promise((r) => setTimeout(r, ctx.refundSlowMs ?? 15_000));
    return answer(refund);
  });
}
