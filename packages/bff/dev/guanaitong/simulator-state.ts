// The simulated service's state: access tokens, auth codes, employees and their funds, trades, and what confirming
// or cancelling a trade at the cashier does (debit, signed return URL, the notify).
import { createHash } from 'node:crypto';
import { formatYuan } from '@zf/shared';
import type { Clock } from '../../src/lib/clock.ts';
import type { RandomSource } from '../../src/lib/ids.ts';
import { GAT_CODES, unixSeconds } from '../../src/providers/guanaitong/protocol.ts';
import { signParams } from '../../src/providers/guanaitong/sign.ts';
import type { Notifier } from './simulator-notify.ts';
import type { App, AuthCode, ConfirmResult, EmployeeSeed, SimEmployee, SimTrade } from './simulator-types.ts';
import { GatRejection } from './simulator-validate.ts';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** What the state is built from. */
export interface SimStateDeps {
  clock: Clock;
  random: RandomSource;
  gatApp: App;
  authCodeTtlMs: number;
  employeeSeed: EmployeeSeed;
  notifier: Notifier;
}

/** The simulator's state and the operations on it. */
export type SimState = ReturnType<typeof createSimState>;

/** Creates empty state: no tokens, codes, employees (seeded on first use) or trades. */
export function createSimState({ clock, random, gatApp, authCodeTtlMs, employeeSeed, notifier }: SimStateDeps) {
  const tokens = new Map<string, { appid: string; expiresAt: number }>();
  const tokenIssueTimes: number[] = [];
  const authCodes = new Map<string, AuthCode>();
  const employees = new Map<string, SimEmployee>();
  const trades = new Map<string, SimTrade>();
  const tradeByOuter = new Map<string, string>();
  /** Every POST to /token/create, accepted or not; tokens issued. */
  const counters = { tokenRequests: 0, tokensIssued: 0 };
  let tradeSeq = 20_000_000;

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

  return {
    tokens,
    tokenIssueTimes,
    authCodes,
    employees,
    trades,
    tradeByOuter,
    counters,
    seedEmployee,
    employeeOf,
    copyEmployee,
    issueAuthCode,
    liveAuthCode,
    fundsOf,
    newTradeNo,
    returnUrlFor,
    confirm,
    cancel,
  };
}
