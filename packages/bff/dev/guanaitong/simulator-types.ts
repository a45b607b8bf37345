// The Guanaitong simulator's public shapes: the employee seed and demo login, employees and trades as it holds them,
// its options and controls, and the app and auth code records.
import type { Hono } from 'hono';
import type { Clock } from '../../src/lib/clock.ts';
import type { RandomSource } from '../../src/lib/ids.ts';
import type { NotifyAttempt } from './simulator-notify.ts';

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
export type ConfirmResult = { ok: true; returnUrl: string } | { ok: false; reason: 'not_found' | 'closed' | 'insufficient_balance' };

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
  /** How long a slow syncRefund (amount ending in 77 fen) waits before answering (default 15 s, unscaled). */
  refundSlowMs?: number;
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

/** The calling app: its credentials and the sellers it may pay. */
export interface App {
  appid: string;
  appsecret: string;
  sellers: ReadonlySet<string>;
}

/** An issued auth code. */
export interface AuthCode {
  appid: string;
  login: string;
  expiresAt: number;
  used: boolean;
}
