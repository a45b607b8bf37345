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
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { systemClock } from '../../src/lib/clock.ts';
import { cryptoRandom } from '../../src/lib/ids.ts';
import { GAT_CODES, GAT_TOKEN_CALLS_PER_HOUR, GAT_TOKEN_LIFETIME_SEC, type GatEnvelope } from '../../src/providers/guanaitong/protocol.ts';
import { registerApi } from './simulator-api.ts';
import { registerBrowserPages } from './simulator-browser.ts';
import { Notifier } from './simulator-notify.ts';
import { createSimState } from './simulator-state.ts';
import {
  DEFAULT_EMPLOYEE,
  DEMO_LOGIN,
  type App,
  type GuanaitongSimulator,
  type GuanaitongSimulatorControl,
  type GuanaitongSimulatorOptions,
  type RunningGuanaitongSimulator,
} from './simulator-types.ts';
import { GatRejection } from './simulator-validate.ts';

export type { NotifyAttempt } from './simulator-notify.ts';
export { DEFAULT_EMPLOYEE, DEMO_LOGIN } from './simulator-types.ts';
export type {
  ConfirmResult,
  EmployeeSeed,
  GuanaitongSimulator,
  GuanaitongSimulatorControl,
  GuanaitongSimulatorOptions,
  RunningGuanaitongSimulator,
  SimEmployee,
  SimTrade,
} from './simulator-types.ts';

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

  const notifier = new Notifier({
    clock,
    timeScale: options.timeScale ?? 1,
    timeoutMs: options.notifyTimeoutMs ?? 5000,
    fetch: options.fetch ?? fetch,
  });
  const state = createSimState({ clock, random, gatApp, authCodeTtlMs, employeeSeed, notifier });
  const { tokens, trades, employeeOf, copyEmployee, seedEmployee, issueAuthCode, confirm, cancel } = state;

  // ---- routes ---------------------------------------------------------------------------------------------------

  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof GatRejection) return c.json<GatEnvelope>({ code: err.code, msg: err.msg, data: null });
    onUnexpectedError(err);
    return c.json<GatEnvelope>({ code: GAT_CODES.SYSTEM, msg: '系统错误', data: null }, 500);
  });
  app.notFound((c) => c.json<GatEnvelope>({ code: GAT_CODES.NOT_FOUND, msg: '接口不存在', data: null }));

  registerApi(app, {
    state,
    gatApp,
    clock,
    random,
    tokenLifetimeMs,
    tokenCallsPerHour,
    publicUrl: options.publicUrl,
    refundSlowMs: options.refundSlowMs,
  });

  registerBrowserPages(app, { state, gatApp });

  // ---- controls and server --------------------------------------------------------------------------------------

  const control: GuanaitongSimulatorControl = {
    get tokenRequests() {
      return state.counters.tokenRequests;
    },
    get tokensIssued() {
      return state.counters.tokensIssued;
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
