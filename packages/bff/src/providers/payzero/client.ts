// The Payzero QuickPay client: token lifecycle, the documented calls with typed answers, and result polling.
//
// Which calls pay a card: the single-order `POST /order/createAndPay` (doc §2.6), not a batch of one. The doc writes
// that batches are for merchants with "a batch of orders to handle", suggests §2.6 for one order at a time, and its own
// Java SDK sample pays with createAndPay and "waits for the server's asynchronous notify"; §2.6 answers the same
// 50001/50010/50056 codes, and it saves a round trip (batch = create + pay, with 50054 and fee-confirmation states
// that mean nothing for one order). The result comes by the §3.4 notify, or `/order/feedback` (§2.4) when it is late.
import { z } from 'zod';
import { systemClock, type Clock } from '../../lib/clock.ts';
import {
  batchData,
  feedbackPageData,
  loginData,
  mchtOrderNoData,
  summaryData,
  type PayzeroBatchSummary,
  type PayzeroClientOptions,
  type PayzeroPollOptions,
  type PayzeroPollResult,
} from './client-types.ts';
import { PayzeroAgreements } from './agreement.ts';
import { PayzeroError } from './errors.ts';
import { silentLogger, type PayzeroLogger } from './logger.ts';
import { wireOrder, type PayzeroOrderInput } from './order.ts';
import { DEFAULT_MAX_WAIT_MS, PAYZERO_POLL_SCHEDULE_MS, abortableSleep } from './poll.ts';
import {
  FEEDBACK_PAGE_SIZE_MAX,
  PZ_PATHS,
  PZ_TOKEN_TTL_SEC,
  isFinalPayStatus,
  orderResultSchema,
  refundResultSchema,
  type PayzeroOrderResult,
  type PayzeroRefundResult,
} from './protocol.ts';
import { decodeJwtClaims } from './sign.ts';
import { readBody, sendRequest, unwrapEnvelope, type Query } from './transport.ts';

export { PayzeroError, mapPayzeroFailure, type PayzeroFailure, type PayzeroFailureReason } from './errors.ts';
export {
  createPayzeroNotifyRoute,
  verifyPayStatusNotify,
  verifyPayzeroNotify,
  PayzeroNotifyError,
  type PayStatusNotify,
} from './notify.ts';
export type { PayzeroOrderResult, PayzeroRefundResult, PayStatus, RefundStatus } from './protocol.ts';
export type { PayzeroLogger } from './logger.ts';
export type { PayzeroBatchSummary, PayzeroClientOptions, PayzeroPollOptions, PayzeroPollResult } from './client-types.ts';
export type { PayzeroOrderInput } from './order.ts';
export { PAYZERO_POLL_SCHEDULE_MS } from './poll.ts';

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

/**
 * Payzero QuickPay API client. Logs in lazily, caches the JWT and renews it `renewBeforeMs` before its `exp`;
 * concurrent callers share one login; a 401 triggers one fresh login and one retry. Every failure is a `PayzeroError`.
 */
export class PayzeroClient {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly logger: PayzeroLogger;
  private readonly renewBeforeMs: number;
  private readonly timeoutMs: number;
  private cached: CachedToken | undefined;
  private loginInFlight: Promise<CachedToken> | undefined;
  /** Card-agreement signing with its SMS check (agreement.ts), on this client's token. */
  readonly agreements = new PayzeroAgreements((method, path, request, schema) => this.call(method, path, request, schema));

  constructor(private readonly options: PayzeroClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
    this.logger = options.logger ?? silentLogger;
    this.renewBeforeMs = options.renewBeforeMs ?? 10 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Creates the order and asks Payzero to pay it (§2.6). Success only means "accepted": the bank result comes later
   * by notify or `queryFeedback`. Business refusals (50001, 50010, 50056) throw `PayzeroError` kind `business`.
   * A `retryable` error here leaves the outcome unknown: look the order up before treating the attempt as failed.
   */
  async createAndPay(order: PayzeroOrderInput): Promise<{ mchtOrderNo: string }> {
    const body = this.wireOrder(order, PZ_PATHS.createAndPay);
    return this.call('POST', PZ_PATHS.createAndPay, { body }, mchtOrderNoData);
  }

  /** Creates the order without paying it (`POST /order/create`); pay later with `arrangePay`. */
  async createOrder(order: PayzeroOrderInput): Promise<{ mchtOrderNo: string }> {
    return this.call('POST', PZ_PATHS.create, { body: this.wireOrder(order, PZ_PATHS.create) }, mchtOrderNoData);
  }

  /** Queues an unpaid or failed order for payment again (§2.7). */
  async arrangePay(mchtOrderNo: string): Promise<void> {
    await this.call('GET', PZ_PATHS.arrangePay, { query: { mchtOrderNo } }, z.unknown());
  }

  /** The order's status and payment facts (`GET /order/feedback`, §2.4). */
  async queryFeedback(mchtOrderNo: string): Promise<PayzeroOrderResult> {
    return this.call('GET', PZ_PATHS.feedback, { query: { mchtOrderNo } }, orderResultSchema);
  }

  /** The same facts through `GET /order/queryOrder` (§4.3). */
  async queryOrder(mchtOrderNo: string): Promise<PayzeroOrderResult> {
    return this.call('GET', PZ_PATHS.queryOrder, { query: { mchtOrderNo } }, orderResultSchema);
  }

  /** Uploads a batch of orders (§2.1). */
  async createBatch(orders: readonly PayzeroOrderInput[]): Promise<z.output<typeof batchData>> {
    const body = orders.map((o) => this.wireOrder(o, PZ_PATHS.orderBatch));
    return this.call('POST', PZ_PATHS.orderBatch, { body }, batchData);
  }

  /** Starts paying a batch's unpaid and failed orders (§2.2); 50054 when there is nothing to pay. */
  async payBatch(orderBatchId: number): Promise<void> {
    await this.call('GET', `${PZ_PATHS.orderBatch}/${orderBatchId}/pay`, {}, z.unknown());
  }

  /** Counts of a batch (§2.3). */
  async batchSummary(orderBatchId: number): Promise<PayzeroBatchSummary> {
    return this.call('GET', `${PZ_PATHS.orderBatch}/${orderBatchId}/summary`, {}, summaryData);
  }

  /** One page (from 1, ≤ 100 rows) of a batch's order results, newest first (§2.5). */
  async batchFeedback(orderBatchId: number, page = 1, pagesize = FEEDBACK_PAGE_SIZE_MAX): Promise<z.output<typeof feedbackPageData>> {
    const path = `${PZ_PATHS.orderBatch}/${orderBatchId}/feedback`;
    return this.call('GET', path, { query: { page, pagesize } }, feedbackPageData);
  }

  /**
   * Asks for a refund of a paid order (`POST /order/refund`), idempotent by `mchtRefundOrderNo`; the answer's status
   * is usually not final yet: read it later with `queryRefund`.
   */
  async requestRefund(input: {
    mchtOrderNo: string;
    mchtRefundOrderNo: string;
    refundAmountFen: number;
    reason: string;
  }): Promise<PayzeroRefundResult> {
    const body = {
      mchtOrderNo: input.mchtOrderNo,
      mchtRefundOrderNo: input.mchtRefundOrderNo,
      refundAmount: input.refundAmountFen,
      reason: input.reason,
    };
    return this.call('POST', PZ_PATHS.refund, { body }, refundResultSchema);
  }

  /** A refund's status (`GET /order/refund?mchtRefundOrderNo=`). */
  async queryRefund(mchtRefundOrderNo: string): Promise<PayzeroRefundResult> {
    return this.call('GET', PZ_PATHS.refund, { query: { mchtRefundOrderNo } }, refundResultSchema);
  }

  /** One look-up for a scheduler that owns the backoff (the recommended use in the BFF's jobs). */
  async pollOnce(mchtOrderNo: string): Promise<PayzeroPollResult> {
    const result = await this.queryFeedback(mchtOrderNo);
    return { final: isFinalPayStatus(result.payStatus), result };
  }

  /**
   * Waits `schedule[i]`, looks the order up, until its status is final; transient errors (5xx, network) are logged
   * and polled through. Rejects with the signal's reason when aborted, with `PayzeroError` kind `pending` when
   * `maxWaitMs` is used up, and with any non-retryable `PayzeroError` at once.
   */
  async pollUntilFinal(mchtOrderNo: string, options: PayzeroPollOptions = {}): Promise<PayzeroOrderResult> {
    const schedule = options.schedule ?? PAYZERO_POLL_SCHEDULE_MS;
    const sleep = options.sleep ?? abortableSleep;
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    let waited = 0;
    let lastStatus = 'unknown';
    for (let i = 0; waited < maxWaitMs; i++) {
      const delay = schedule[Math.min(i, schedule.length - 1)] ?? 0;
      await sleep(delay, options.signal);
      options.signal?.throwIfAborted();
      waited += Math.max(delay, 1);
      try {
        const { final, result } = await this.pollOnce(mchtOrderNo);
        if (final) return result;
        lastStatus = result.payStatus;
      } catch (err) {
        if (!(err instanceof PayzeroError) || !err.retryable) throw err;
        this.logger.warn({ mchtOrderNo, attempt: i + 1, err: err.message }, 'payzero poll failed; will poll again');
      }
    }
    throw new PayzeroError({
      kind: 'pending',
      endpoint: PZ_PATHS.feedback,
      retryable: true,
      message: `no final status for ${mchtOrderNo} after ${waited} ms (last ${lastStatus})`,
    });
  }

  /** The current token, logging in when there is none or it is within `renewBeforeMs` of expiring. */
  async getToken(): Promise<string> {
    const cached = this.cached;
    if (cached && this.clock.now() < cached.expiresAtMs - this.renewBeforeMs) return cached.token;
    return (await this.login()).token;
  }

  private login(): Promise<CachedToken> {
    // One login for every concurrent caller; cleared when it settles so a failed login can be retried.
    this.loginInFlight ??= this.doLogin().finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  private async doLogin(): Promise<CachedToken> {
    const { username, password } = this.options;
    const res = await this.send('POST', PZ_PATHS.login, { body: { username, password } }, null);
    if (res.status === 401 || res.status === 403) {
      throw new PayzeroError({
        kind: 'auth',
        endpoint: PZ_PATHS.login,
        httpStatus: res.status,
        message: `login refused for ${username}: ${await readBody(res)}`,
      });
    }
    const data = await this.unwrap(res, PZ_PATHS.login, loginData);
    const claims = decodeJwtClaims(data.token);
    let expiresAtMs: number;
    if (claims) {
      expiresAtMs = claims.exp * 1000;
    } else {
      // Not a readable JWT: fall back to the documented 4 h from now rather than failing every call.
      expiresAtMs = this.clock.now() + PZ_TOKEN_TTL_SEC * 1000;
      this.logger.warn({ endpoint: PZ_PATHS.login }, 'payzero token has no readable exp; assuming 4 h');
    }
    const fresh = { token: data.token, expiresAtMs };
    this.cached = fresh;
    this.logger.info({ expiresAt: new Date(expiresAtMs).toISOString() }, 'payzero login');
    return fresh;
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    request: { query?: Query; body?: unknown },
    schema: S,
  ): Promise<z.output<S>> {
    const token = await this.getToken();
    let res = await this.send(method, path, request, token);
    if (res.status === 401) {
      // Revoked or expired early: drop this token (unless a concurrent caller already replaced it), log in, retry once.
      await readBody(res);
      if (this.cached?.token === token) this.cached = undefined;
      this.logger.warn({ endpoint: path }, 'payzero 401; logging in again and retrying once');
      res = await this.send(method, path, request, await this.getToken());
      if (res.status === 401) {
        throw new PayzeroError({
          kind: 'auth',
          endpoint: path,
          httpStatus: 401,
          message: `401 again after a fresh login: ${await readBody(res)}`,
        });
      }
    }
    return this.unwrap(res, path, schema);
  }

  private send(method: 'GET' | 'POST', path: string, request: { query?: Query; body?: unknown }, token: string | null): Promise<Response> {
    const transport = { baseUrl: this.baseUrl, fetchImpl: this.fetchImpl, timeoutMs: this.timeoutMs };
    return sendRequest(transport, method, path, request, token);
  }

  private async unwrap<S extends z.ZodType>(res: Response, path: string, schema: S): Promise<z.output<S>> {
    try {
      return await unwrapEnvelope(res, path, schema);
    } catch (err) {
      if (err instanceof PayzeroError) {
        const { kind, errorCode, httpStatus, retryable } = err;
        const detail = err.message;
        this.logger.warn({ endpoint: path, kind, errorCode, httpStatus, retryable, detail }, 'payzero call failed');
      }
      throw err;
    }
  }

  private wireOrder(order: PayzeroOrderInput, endpoint: string): Record<string, unknown> {
    return wireOrder(order, endpoint, this.clock, this.options.notifyUrl);
  }
}
