// The Payzero simulator's public shapes: card behaviours and the demo cards, dev credentials, options, the orders it
// holds, and the simulator's controls.
import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Clock } from '../../src/lib/clock.ts';
import type { PayStatus, PayzeroRefundResult, RefundStatus } from '../../src/providers/payzero/protocol.ts';
import type { NotifyAttempt } from './simulator-notifier.ts';

/** What the simulated bank does with a card: pay or decline after a delay, or refuse at pay time with a code. */
export type CardBehaviour =
  | { outcome: 'succeed'; delayMs: number }
  | { outcome: 'fail'; delayMs: number; reason?: string }
  | { outcome: 'reject'; errorCode: '50001' | '50010' | '50056' };

/** SPEC §10's demo cards, by last 4 digits. Delays are unscaled. */
export const DEFAULT_CARD_BEHAVIOURS: Readonly<Record<string, CardBehaviour>> = {
  '0000': { outcome: 'succeed', delayMs: 1_000 },
  '1111': { outcome: 'fail', delayMs: 1_000, reason: '银行卡交易被拒绝' },
  '2222': { outcome: 'succeed', delayMs: 8_000 },
};

/** Dev credentials, used when the options leave them out (never valid against the real service). */
export const PAYZERO_SIMULATOR_DEFAULTS = {
  username: 'zf-demo-app',
  password: 'zf-demo-app-key',
  jwtSecret: 'payzero-simulator-jwt-secret',
  signToken: 'payzero-simulator-sign-token',
  /** The SMS code of every card-agreement signing (the demo table in the README). */
  smsCode: '123456',
} as const;

/** Simulator configuration. */
export interface PayzeroSimulatorOptions {
  username?: string;
  password?: string;
  /** HS256 key of the issued JWTs. */
  jwtSecret?: string;
  /** The merchant's notify signToken (§3.1). */
  signToken?: string;
  /** Merchant-level notify URL (§3.1); an order's own `notifyUrl` wins (§2.6). */
  notifyUrl?: string;
  /** Multiplies every delay: card delays and the notify resend schedule (e.g. 0.005 in tests). Default 1. */
  timeScale?: number;
  /** Token `iat`/`exp`, notify timestamps, `paymentDatetime`. Default the system clock. */
  clock?: Clock;
  /** How long a notify waits for the answer (default 5 s, §3.1; not scaled). */
  notifyTimeoutMs?: number;
  /** Card behaviours by last 4 digits, replacing the defaults. */
  cardBehaviours?: Readonly<Record<string, CardBehaviour>>;
  /** The merchant card's recorded quota in fen (default unlimited); payments beyond it answer 50056. */
  cardQuotaFen?: number;
  /** The code every signing SMS carries (default 123456). */
  smsCode?: string;
  fetch?: typeof fetch;
  /** Unexpected errors in timers (default: console.error). */
  onError?: (err: unknown) => void;
}

/** One order as the simulator holds it. */
export interface SimulatedOrder {
  mchtOrderNo: string;
  paymentAmount: number;
  subject: string;
  payerName: string | null;
  payerNumber: string | null;
  payerPhone: string | null;
  payerCardNo: string | null;
  notifyUrl: string | null;
  orderBatchId: number | null;
  payStatus: PayStatus;
  paymentOrderNo: string | null;
  paymentDatetime: string | null;
  failReason: string | null;
  /** Simulator clock at creation. */
  createdAt: number;
}

/** One SMS the simulated bank "sent" (tests read the code from here; it is always the demo code). */
export interface SimulatedSms {
  requestNo: string;
  phone: string;
  code: string;
  sentAt: number;
}

/** A running HTTP listener. */
export interface StartedPayzeroSimulator {
  url: string;
  /** Stops the listener, every timer and every in-flight notify. */
  close(): Promise<void>;
}

/** The simulator: a Hono app, a listener, and controls for tests. */
export interface PayzeroSimulator {
  app: Hono;
  start(port?: number, hostname?: string): Promise<StartedPayzeroSimulator>;
  /** Same as the listener's close; also usable without `start` (app.request tests). */
  close(): Promise<void>;
  /** The next `n` requests (any endpoint) answer `status` (default 500). */
  failNext(n: number, status?: ContentfulStatusCode): void;
  /** While true, final statuses send no notify at all (logged as `dropped`). */
  dropNotifies(drop?: boolean): void;
  setCardBehaviour(last4: string, behaviour: CardBehaviour): void;
  /** Sets the remaining card quota (fen). */
  setCardQuota(fen: number): void;
  /** Changes the JWT key: every token issued before answers 401 (a revoked-token scenario). */
  rotateJwtSecret(secret?: string): void;
  readonly notifyLog: readonly NotifyAttempt[];
  readonly orders: ReadonlyMap<string, SimulatedOrder>;
  /** Refunds by `mchtRefundOrderNo`. */
  readonly refunds: ReadonlyMap<string, SimulatedRefund>;
  /** Every signing SMS sent, oldest first. */
  readonly smsLog: readonly SimulatedSms[];
  /** Tokens issued by `/auth/login`. */
  readonly loginCount: number;
}

/** One refund as the simulator holds it (see simulator-refunds.ts). */
export interface SimulatedRefund extends PayzeroRefundResult {
  refundStatus: RefundStatus;
  reason: string;
}
