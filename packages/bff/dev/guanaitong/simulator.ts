// A local Guanaitong (关爱通) that follows seed 001 and PROVIDERS.md: token, signed calls with their error codes,
// the employee login (auth codes), checkUserAndToPay, the cashier, the signed return redirect and the resent notify.
//
// ASSUMPTIONS beyond the documents (each is marked where it is implemented):
// - Browser login: GET /sso/login?appid=&redirect_uri=&state= shows a login page (登录并授权, any input accepted, blank
//   = the demo employee); POST /sso/login redirects to redirect_uri with `auth_code` (40 upper-case hex, as in the
//   seed's example, single use, valid 1 minute, bound to the appid) and `state` appended to its query (before any
//   #fragment). This stands in for the real trusted login, which hands the merchant an auth code for the employee.
// - checkUserAndToPay answers `{code:0,msg:"OK",data:{trade_no,outer_trade_no,cashier_url}}`; the seed does not
//   show the body. cashier_url is this simulator's cashier page (GET /cashier?trade_no=&t=), whose form posts to
//   /cashier/confirm or /cashier/cancel. Confirm debits the employee and redirects to return_url with
//   `appid, outer_trade_no, attach, pay_result=success, timestamp, sign`; cancel redirects with `pay_result=fail`.
//   The notify is sent only on success, first at once, then per the resend schedule.
// - The auth code is used up only when a trade is created; a refused request leaves it usable (until it expires).
// - Balance is checked when the trade is created and again on confirm; short → 1000220004 (GAT_CODES.
//   INSUFFICIENT_BALANCE) from the API, an error message on the cashier page.
// - pay_type 2 with no quota asset → 1000220002; several assets and no account_openid → 1000210006; an
//   account_openid that is not the employee's → 1000220002. account_openid is ignored for pay_type 1.
// - An unknown seller_appid → 1000220002. return_url / notify_url must be absolute http(s) URLs → 1000220002.
// - auth_code of a length other than 40 → 1000220001 (the length rule) rather than 1000210014.
// - Parameters are read from the query and the form body together; a name given twice → 1000210006.
// - GET|POST /employee/assets (auth_code) lists the employee's assets: a stand-in for the real 员工资产接口, whose
//   path and shape our documents do not give. It does not use up the auth code.
// - Old access tokens stay valid until their own expiry when a new one is issued.
// - Envelope errors are answered with HTTP 200; an unknown path gets 1000210005.
import { createHash } from 'node:crypto';
import { serve } from '@hono/node-server';
import { formatYuan } from '@zf/shared';
import { Hono, type Context } from 'hono';
import { systemClock, type Clock } from '../../src/lib/clock.ts';
import { cryptoRandom, type RandomSource } from '../../src/lib/ids.ts';
import {
  GAT_CODES,
  GAT_PATHS,
  GAT_TIMESTAMP_TOLERANCE_SEC,
  GAT_TOKEN_CALLS_PER_HOUR,
  GAT_TOKEN_LIFETIME_SEC,
  unixSeconds,
  type GatEnvelope,
} from '../../src/providers/guanaitong/protocol.ts';
import { signParams, verifySignedParams } from '../../src/providers/guanaitong/sign.ts';
import { Notifier, type NotifyAttempt } from './simulator-notify.ts';
import { cashierPage, errorPage, loginPage } from './simulator-pages.ts';
import { GatRejection, validatePayParams } from './simulator-validate.ts';

export type { NotifyAttempt } from './simulator-notify.ts';

/** Starting balances of an employee. */
export interface EmployeeSeed {
  pointsFen: number;
  quotas: ReadonlyArray<{ name: string; balanceFen: number }>;
}

/** SPEC §10: 1 000.00 points and two quota assets. */
export const DEFAULT_EMPLOYEE: EmployeeSeed = {
  pointsFen: 100_000,
  quotas: [
    { name: '医疗福利额度', balanceFen: 200_000 },
    { name: '健康体检额度', balanceFen: 30_000 },
  ],
};

/** The login name used when the login page is submitted blank. */
export const DEMO_LOGIN = 'demo';

/** An employee as the simulator holds it. */
export interface SimEmployee {
  login: string;
  openId: string;
  pointsAccountOpenid: string;
  pointsFen: number;
  quotas: Array<{ accountOpenid: string; name: string; balanceFen: number }>;
}

/** A trade created by checkUserAndToPay. */
export interface SimTrade {
  tradeNo: string;
  outerTradeNo: string;
  appid: string;
  sellerAppid: string;
  employeeLogin: string;
  payType: 1 | 2;
  /** The quota asset paid from (pay_type 2), else null. */
  accountOpenid: string | null;
  amountFen: number;
  reason: string;
  returnUrl: string;
  notifyUrl: string;
  attach: string | null;
  tradeInfo: string;
  status: 'created' | 'paid' | 'closed';
  cashierToken: string;
  createdAt: number;
  paidAt: number | null;
}

/** Result of confirming a trade at the cashier. */
export type ConfirmResult =
  | { ok: true; returnUrl: string }
  | { ok: false; reason: 'not_found' | 'closed' | 'insufficient_balance' };

/** Options of {@link createGuanaitongSimulator}; defaults match the BFF's dev config (env.ts). */
export interface GuanaitongSimulatorOptions {
  appid?: string;
  appsecret?: string;
  sellerAppid?: string;
  /** Notify resend delays are multiplied by this (default 1: real time). */
  timeScale?: number;
  clock?: Clock;
  tokenLifetimeSec?: number;
  tokenCallsPerHour?: number;
  authCodeTtlMs?: number;
  /** Base URL the browser reaches the simulator at (cashier_url); default: the origin the API call came to. */
  publicUrl?: string;
  notifyTimeoutMs?: number;
  /** Used to send notifies. */
  fetch?: typeof fetch;
  random?: RandomSource;
  employee?: EmployeeSeed;
  /** Where unexpected errors are reported; default console.error. */
  onUnexpectedError?: (err: unknown) => void;
}

/** Test and dev controls. */
export interface GuanaitongSimulatorControl {
  /** Every POST to /token/create, accepted or not. */
  readonly tokenRequests: number;
  /** Tokens issued. */
  readonly tokensIssued: number;
  /** Makes every issued token expired (calls with them get 1000210004). */
  expireTokens(): void;
  /** Every notify attempt, in order. */
  readonly notifyLog: readonly NotifyAttempt[];
  /** When true, notifies are lost in transit (logged as dropped, resent on schedule). */
  dropNotifies: boolean;
  /** An auth code for an employee, as the login page would issue it. */
  issueAuthCode(login?: string): string;
  /** A copy of the employee (created with the default balances on first use). */
  employee(login?: string): SimEmployee;
  /** Replaces an employee's balances and assets. */
  setEmployee(login: string, seed: EmployeeSeed): SimEmployee;
  /** A copy of a trade, by trade_no or outer_trade_no. */
  trade(id: string): SimTrade | undefined;
  /** The cashier's 确认支付, without a browser. Idempotent: a paid trade is not debited twice. */
  confirm(tradeNo: string): ConfirmResult;
  /** The cashier's 取消支付: closes an unpaid trade; returns the fail return URL, or null when unknown. */
  cancel(tradeNo: string): string | null;
  /** One extra notify attempt now. */
  replayNotify(tradeNo: string): Promise<NotifyAttempt | null>;
  /** Resolves when no notify is in flight or scheduled. */
  notifiesIdle(): Promise<void>;
}

/** A running simulator. */
export interface RunningGuanaitongSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The simulator: its Hono app, a starter, its controls. */
export interface GuanaitongSimulator {
  app: Hono;
  control: GuanaitongSimulatorControl;
  /** Serves the app on `port` (0 = ephemeral). */
  start(port?: number, hostname?: string): Promise<RunningGuanaitongSimulator>;
  /** Stops scheduled notifies (start()'s close does this too). */
  dispose(): void;
}

interface App {
  appid: string;
  appsecret: string;
  sellers: ReadonlySet<string>;
}

interface AuthCode {
  appid: string;
  login: string;
  expiresAt: number;
  used: boolean;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** Creates a Guanaitong simulator. */
export function createGuanaitongSimulator(options: GuanaitongSimulatorOptions = {}): GuanaitongSimulator {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const gatApp: App = {
    appid: options.appid ?? '30000003',
    appsecret: options.appsecret ?? 'f4cc82386a1cdddcc98e4f53b1115a62',
    sellers: new Set([options.sellerAppid ?? '20110783']),
  };
  const tokenLifetimeMs = (options.tokenLifetimeSec ?? GAT_TOKEN_LIFETIME_SEC) * 1000;
  const tokenCallsPerHour = options.tokenCallsPerHour ?? GAT_TOKEN_CALLS_PER_HOUR;
  const authCodeTtlMs = options.authCodeTtlMs ?? 60_000;
  const employeeSeed = options.employee ?? DEFAULT_EMPLOYEE;
  const onUnexpectedError = options.onUnexpectedError ?? ((err: unknown) => console.error(err));

  const tokens = new Map<string, { appid: string; expiresAt: number }>();
  const tokenIssueTimes: number[] = [];
  const authCodes = new Map<string, AuthCode>();
  const employees = new Map<string, SimEmployee>();
  const trades = new Map<string, SimTrade>();
  const tradeByOuter = new Map<string, string>();
  let tokenRequests = 0;
  let tokensIssued = 0;
  let tradeSeq = 20_000_000;

  const notifier = new Notifier({
    clock,
    timeScale: options.timeScale ?? 1,
    timeoutMs: options.notifyTimeoutMs ?? 5000,
    fetch: options.fetch ?? fetch,
  });

  // ---- state helpers -------------------------------------------------------------------------------------------

  function seedEmployee(login: string, seed: EmployeeSeed): SimEmployee {
    const employee: SimEmployee = {
      login,
      openId: md5(`${gatApp.appid}:employee:${login}`),
      pointsAccountOpenid: md5(`${login}:points`),
      pointsFen: seed.pointsFen,
      quotas: seed.quotas.map((q, i) => ({ accountOpenid: md5(`${login}:quota:${i}`), name: q.name, balanceFen: q.balanceFen })),
    };
    employees.set(login, employee);
    return employee;
  }

  function employeeOf(login: string): SimEmployee {
    return employees.get(login) ?? seedEmployee(login, employeeSeed);
  }

  function copyEmployee(e: SimEmployee): SimEmployee {
    return { ...e, quotas: e.quotas.map((q) => ({ ...q })) };
  }

  function issueAuthCode(appid: string, login: string): string {
    const code = random.hex(20).toUpperCase();
    employeeOf(login);
    authCodes.set(code, { appid, login, expiresAt: clock.now() + authCodeTtlMs, used: false });
    return code;
  }

  /** The live auth code, or 1000210014 (unknown, used, expired, or another app's). */
  function liveAuthCode(code: string, appid: string): AuthCode {
    const entry = authCodes.get(code.toUpperCase());
    if (!entry || entry.used || entry.appid !== appid || clock.now() >= entry.expiresAt) {
      throw new GatRejection(GAT_CODES.AUTH_CODE_INVALID, 'auth_code无效或已过期');
    }
    return entry;
  }

  /** The balance a trade is paid from, and a debit for it. */
  function fundsOf(trade: Pick<SimTrade, 'employeeLogin' | 'payType' | 'accountOpenid'>) {
    const employee = employeeOf(trade.employeeLogin);
    if (trade.payType === 1) {
      return { name: '积分', balanceFen: employee.pointsFen, debit: (fen: number) => void (employee.pointsFen -= fen) };
    }
    const quota = employee.quotas.find((q) => q.accountOpenid === trade.accountOpenid);
    if (!quota) return { name: '额度', balanceFen: 0, debit: () => undefined };
    return { name: quota.name, balanceFen: quota.balanceFen, debit: (fen: number) => void (quota.balanceFen -= fen) };
  }

  function newTradeNo(): string {
    tradeSeq += 1;
    const d = new Date(clock.now() + 8 * 3_600_000); // yyyyMMdd in GMT+8, like the seed's 2018070920000005
    const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    return `${day}${tradeSeq}`;
  }

  function signed(params: Record<string, string | null>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== '') out[k] = v;
    out.sign = signParams(out, gatApp.appsecret);
    return out;
  }

  function returnUrlFor(trade: SimTrade, payResult: 'success' | 'fail'): string {
    const params = signed({
      appid: trade.appid,
      outer_trade_no: trade.outerTradeNo,
      attach: trade.attach,
      pay_result: payResult,
      timestamp: String(unixSeconds(clock.now())),
    });
    const url = new URL(trade.returnUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  function confirm(tradeNo: string): ConfirmResult {
    const trade = trades.get(tradeNo);
    if (!trade) return { ok: false, reason: 'not_found' };
    if (trade.status === 'closed') return { ok: false, reason: 'closed' };
    if (trade.status === 'created') {
      const funds = fundsOf(trade);
      if (funds.balanceFen < trade.amountFen) return { ok: false, reason: 'insufficient_balance' };
      funds.debit(trade.amountFen);
      trade.status = 'paid';
      trade.paidAt = clock.now();
      const employee = employeeOf(trade.employeeLogin);
      notifier.start({
        tradeNo: trade.tradeNo,
        outerTradeNo: trade.outerTradeNo,
        url: trade.notifyUrl,
        buildForm: () =>
          signed({
            appid: trade.appid,
            outer_trade_no: trade.outerTradeNo,
            buyer_open_id: employee.openId,
            attach: trade.attach,
            total_amount: formatYuan(trade.amountFen),
            trade_no: trade.tradeNo,
            timestamp: String(unixSeconds(clock.now())),
          }),
      });
    }
    return { ok: true, returnUrl: returnUrlFor(trade, 'success') };
  }

  function cancel(tradeNo: string): string | null {
    const trade = trades.get(tradeNo);
    if (!trade) return null;
    if (trade.status === 'created') trade.status = 'closed';
    return returnUrlFor(trade, trade.status === 'paid' ? 'success' : 'fail');
  }

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

  // ---- routes ---------------------------------------------------------------------------------------------------

  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof GatRejection) return c.json<GatEnvelope>({ code: err.code, msg: err.msg, data: null });
    onUnexpectedError(err);
    return c.json<GatEnvelope>({ code: GAT_CODES.SYSTEM, msg: '系统错误', data: null }, 500);
  });
  app.notFound((c) => c.json<GatEnvelope>({ code: GAT_CODES.NOT_FOUND, msg: '接口不存在', data: null }));

  app.post(GAT_PATHS.token, async (c) => {
    tokenRequests += 1;
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
    tokensIssued += 1;
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
        ...employee.quotas.map((q) => ({ type: 'quota', account_openid: q.accountOpenid, name: q.name, balance: formatYuan(q.balanceFen) })),
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
    const base = (options.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    const cashierUrl = `${base}/cashier?${new URLSearchParams({ trade_no: trade.tradeNo, t: trade.cashierToken }).toString()}`;
    return ok(c, { trade_no: trade.tradeNo, outer_trade_no: trade.outerTradeNo, cashier_url: cashierUrl });
  });

  // ---- browser pages ---------------------------------------------------------------------------------------------

  /** The login page's parameters, or an error page. */
  function loginInput(source: Record<string, string>): { appid: string; redirectUri: string; state: string } | string {
    const appid = source.appid?.trim() ?? '';
    if (appid !== gatApp.appid) return '应用信息错误（appid 不存在）';
    const redirectUri = source.redirect_uri?.trim() ?? '';
    const url = URL.canParse(redirectUri) ? new URL(redirectUri) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || redirectUri.length > 2000) {
      return 'redirect_uri 不是合法的地址';
    }
    return { appid, redirectUri, state: source.state ?? '' };
  }

  app.get(GAT_PATHS.ssoLogin, (c) => {
    const input = loginInput(c.req.query());
    return typeof input === 'string' ? c.html(errorPage(input), 400) : c.html(loginPage(input));
  });

  app.post(GAT_PATHS.ssoLogin, async (c) => {
    const form = await formOf(c);
    const input = loginInput(form);
    if (typeof input === 'string') return c.html(errorPage(input), 400);
    const code = issueAuthCode(input.appid, form.login?.trim() || DEMO_LOGIN);
    const target = new URL(input.redirectUri);
    target.searchParams.set('auth_code', code);
    if (input.state !== '') target.searchParams.set('state', input.state);
    return c.redirect(target.toString(), 302);
  });

  async function formOf(c: Context): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [key, value] of await c.req.formData()) if (typeof value === 'string') out[key] = value;
    return out;
  }

  /** The trade a cashier request is for, when its cashier token matches. */
  function cashierTrade(source: Record<string, string>): SimTrade | null {
    const trade = trades.get(source.trade_no ?? '');
    return trade && trade.cashierToken === source.t ? trade : null;
  }

  function renderCashier(c: Context, trade: SimTrade, error: string | null) {
    const funds = fundsOf(trade);
    return c.html(
      cashierPage({
        tradeNo: trade.tradeNo,
        cashierToken: trade.cashierToken,
        amount: formatYuan(trade.amountFen),
        reason: trade.reason,
        assetName: funds.name,
        balance: formatYuan(funds.balanceFen),
        status: trade.status,
        error,
        returnUrl: trade.status === 'created' ? null : returnUrlFor(trade, trade.status === 'paid' ? 'success' : 'fail'),
      }),
    );
  }

  app.get('/cashier', (c) => {
    const trade = cashierTrade(c.req.query());
    return trade ? renderCashier(c, trade, null) : c.html(errorPage('交易不存在或链接已失效'), 404);
  });

  app.post('/cashier/confirm', async (c) => {
    const trade = cashierTrade(await formOf(c));
    if (!trade) return c.html(errorPage('交易不存在或链接已失效'), 404);
    const result = confirm(trade.tradeNo);
    if (result.ok) return c.redirect(result.returnUrl, 302);
    return renderCashier(c, trade, result.reason === 'insufficient_balance' ? '余额不足，请返回商家选择其他支付方式' : '交易已关闭');
  });

  app.post('/cashier/cancel', async (c) => {
    const trade = cashierTrade(await formOf(c));
    const target = trade ? cancel(trade.tradeNo) : null;
    return target ? c.redirect(target, 302) : c.html(errorPage('交易不存在或链接已失效'), 404);
  });

  // ---- controls and server --------------------------------------------------------------------------------------

  const control: GuanaitongSimulatorControl = {
    get tokenRequests() {
      return tokenRequests;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    expireTokens() {
      for (const entry of tokens.values()) entry.expiresAt = Number.NEGATIVE_INFINITY;
    },
    get notifyLog() {
      return notifier.log;
    },
    get dropNotifies() {
      return notifier.dropNotifies;
    },
    set dropNotifies(value: boolean) {
      notifier.dropNotifies = value;
    },
    issueAuthCode: (login = DEMO_LOGIN) => issueAuthCode(gatApp.appid, login),
    employee: (login = DEMO_LOGIN) => copyEmployee(employeeOf(login)),
    setEmployee: (login, seed) => copyEmployee(seedEmployee(login, seed)),
    trade(id) {
      const trade = trades.get(id) ?? [...trades.values()].find((t) => t.outerTradeNo === id);
      return trade ? { ...trade } : undefined;
    },
    confirm,
    cancel,
    replayNotify: (tradeNo) => notifier.replay(tradeNo),
    notifiesIdle: () => notifier.idle(),
  };

  function start(port = 0, hostname = '127.0.0.1'): Promise<RunningGuanaitongSimulator> {
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
        resolve({
          url: `http://${hostname}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done, fail) => {
              notifier.stop();
              server.close((err) => (err ? fail(err) : done()));
              // Keep-alive sockets (undici's fetch) would hold close() open otherwise.
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      });
      server.once('error', reject);
    });
  }

  return { app, control, start, dispose: () => notifier.stop() };
}
