// A local Payzero QuickPay that follows the document to the letter (login/JWT, bearer checks, envelope, validation,
// error codes, order and batch endpoints, signed status notifies with resends), with test controls and scalable time.
//
// How the simulated bank decides: each order may carry `payerCardNo` (our extension of the §2.1/§2.6 order object:
// the payer's bound card, the real API pays from the merchant's signed card and ignores the field). Its last 4 digits
// pick a `CardBehaviour` (SPEC §10): 0000 paid after 1 s, 1111 declined after 1 s, 2222 paid after 8 s; any other
// card, or none, is refused at pay time with 50010 (no signed card). `setCardBehaviour` adds or changes cards
// (e.g. a card that answers 50001), `setCardQuota` makes 50056 happen, a batch with nothing to pay answers 50054.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { systemClock } from '../../src/lib/clock.ts';
import { NOTIFY_TIMEOUT_MS, PAY_STATUS_NOTIFY, PZ_CODES, PZ_PATHS, formatChinaCompact } from '../../src/providers/payzero/protocol.ts';
import { verifyJwtHs256 } from '../../src/providers/payzero/sign.ts';
import { randomBytes } from 'node:crypto';
import { registerAgreementRoutes } from './simulator-agreements.ts';
import { Notifier } from './simulator-notifier.ts';
import { registerPayzeroRefundRoutes } from './simulator-refunds.ts';
import { registerPayzeroRoutes, type SimulatedBatch } from './simulator-routes.ts';
import {
  DEFAULT_CARD_BEHAVIOURS,
  PAYZERO_SIMULATOR_DEFAULTS,
  type CardBehaviour,
  type PayzeroSimulator,
  type PayzeroSimulatorOptions,
  type SimulatedOrder,
  type SimulatedRefund,
  type SimulatedSms,
} from './simulator-types.ts';
import { SimFailure, business, closeServer, envelope, resultDto, type OrderRequest } from './simulator-wire.ts';

export type { NotifyAttempt } from './simulator-notifier.ts';
export { DEFAULT_CARD_BEHAVIOURS, PAYZERO_SIMULATOR_DEFAULTS } from './simulator-types.ts';
export type {
  CardBehaviour,
  PayzeroSimulator,
  PayzeroSimulatorOptions,
  SimulatedOrder,
  SimulatedRefund,
  SimulatedSms,
  StartedPayzeroSimulator,
} from './simulator-types.ts';

const UNKNOWN_CARD: CardBehaviour = { outcome: 'reject', errorCode: PZ_CODES.NO_SIGNED_CARD };

/** Creates a simulator; nothing listens until `start()`. */
export function createPayzeroSimulator(options: PayzeroSimulatorOptions = {}): PayzeroSimulator {
  const username = options.username ?? PAYZERO_SIMULATOR_DEFAULTS.username;
  const password = options.password ?? PAYZERO_SIMULATOR_DEFAULTS.password;
  const signToken = options.signToken ?? PAYZERO_SIMULATOR_DEFAULTS.signToken;
  const clock = options.clock ?? systemClock;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  const onError = options.onError ?? ((err: unknown) => console.error('[payzero-simulator]', err));

  let jwtSecret = options.jwtSecret ?? PAYZERO_SIMULATOR_DEFAULTS.jwtSecret;
  let failures: { left: number; status: ContentfulStatusCode } = { left: 0, status: 500 };
  let dropping = false;
  let quotaFen = options.cardQuotaFen ?? Number.POSITIVE_INFINITY;
  let logins = 0;
  let paymentSeq = 0;
  let batchSeq = 0;
  let closed = false;
  const cards = new Map(Object.entries(options.cardBehaviours ?? DEFAULT_CARD_BEHAVIOURS));
  const orders = new Map<string, SimulatedOrder>();
  const batches = new Map<number, SimulatedBatch>();
  const refunds = new Map<string, SimulatedRefund>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const servers = new Set<ServerType>();
  const closing = new AbortController();
  const smsLog: SimulatedSms[] = [];

  const schedule = (ms: number, fn: () => void): void => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }, ms);
    timers.add(timer);
  };

  const notifier = new Notifier({
    signToken,
    clock,
    timeScale,
    timeoutMs: options.notifyTimeoutMs ?? NOTIFY_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    schedule,
    closed: closing.signal,
    isDropping: () => dropping,
    onError,
  });

  // --- the bank -------------------------------------------------------------------------------------------------

  const behaviourOf = (order: SimulatedOrder): CardBehaviour =>
    order.payerCardNo === null ? UNKNOWN_CARD : (cards.get(order.payerCardNo.slice(-4)) ?? UNKNOWN_CARD);

  /** Starts paying `list`, or refuses all of it (nothing starts) with the first applicable business code. */
  const pay = (list: SimulatedOrder[]): void => {
    const plans = list.map((order) => ({ order, behaviour: behaviourOf(order) }));
    for (const { behaviour } of plans) {
      if (behaviour.outcome === 'reject') throw business(behaviour.errorCode);
    }
    const total = list.reduce((sum, o) => sum + o.paymentAmount, 0);
    if (total > quotaFen) throw business(PZ_CODES.CARD_QUOTA_INSUFFICIENT);
    quotaFen -= total; // reserved now, given back if the bank declines
    for (const { order, behaviour } of plans) {
      if (behaviour.outcome === 'reject') continue;
      order.payStatus = 'PAY_APPLIED';
      order.failReason = null;
      schedule(behaviour.delayMs * timeScale, () => settle(order, behaviour));
    }
  };

  const settle = (order: SimulatedOrder, behaviour: Exclude<CardBehaviour, { outcome: 'reject' }>): void => {
    order.paymentDatetime = formatChinaCompact(clock.now());
    if (behaviour.outcome === 'succeed') {
      order.payStatus = 'PAY_SUCCEED';
      order.paymentOrderNo = `1119${String(++paymentSeq).padStart(14, '0')}`;
    } else {
      order.payStatus = 'PAY_FAILED';
      order.failReason = behaviour.reason ?? '银行卡交易被拒绝';
      quotaFen += order.paymentAmount;
    }
    const url = order.notifyUrl ?? options.notifyUrl ?? null;
    notifier.deliver(order.mchtOrderNo, PAY_STATUS_NOTIFY, JSON.stringify(resultDto(order)), url);
  };

  const createOrders = (requests: OrderRequest[], orderBatchId: number | null): SimulatedOrder[] => {
    const seen = new Set<string>();
    for (const r of requests) {
      if (orders.has(r.mchtOrderNo) || seen.has(r.mchtOrderNo)) {
        throw new SimFailure(400, PZ_CODES.DUPLICATE_ORDER, `商户订单号 ${r.mchtOrderNo} 已存在`);
      }
      seen.add(r.mchtOrderNo);
    }
    return requests.map((r) => {
      const order: SimulatedOrder = {
        mchtOrderNo: r.mchtOrderNo,
        paymentAmount: r.paymentAmount,
        subject: r.subject,
        payerName: r.payerName ?? null,
        payerNumber: r.payerNumber ?? null,
        payerPhone: r.payerPhone ?? null,
        payerCardNo: r.payerCardNo ?? null,
        notifyUrl: r.notifyUrl ?? null,
        orderBatchId,
        payStatus: 'NOT_PAYED',
        paymentOrderNo: null,
        paymentDatetime: null,
        failReason: null,
        createdAt: clock.now(),
      };
      orders.set(order.mchtOrderNo, order);
      return order;
    });
  };

  const findOrder = (c: Context): SimulatedOrder => {
    const no = c.req.query('mchtOrderNo');
    if (!no) throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, '参数 mchtOrderNo 未正确设置。');
    const order = orders.get(no);
    if (!order) throw new SimFailure(200, PZ_CODES.ORDER_NOT_FOUND, `订单 ${no} 不存在`);
    return order;
  };

  const findBatch = (c: Context) => {
    const id = Number(c.req.param('id'));
    const batch = Number.isInteger(id) ? batches.get(id) : undefined;
    if (!batch) throw new SimFailure(200, PZ_CODES.ORDER_NOT_FOUND, `订单批次 ${c.req.param('id')} 不存在`);
    return batch.orderNos.map((no) => orders.get(no)).filter((o): o is SimulatedOrder => o !== undefined);
  };

  // --- HTTP -----------------------------------------------------------------------------------------------------

  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof SimFailure) return c.json(envelope(false, null, err.errorCode, err.message), err.status);
    onError(err);
    return c.json(envelope(false, null, null, 'Internal Server Error'), 500);
  });

  app.use('*', async (c, next) => {
    if (failures.left > 0) {
      failures.left--;
      return c.json(envelope(false, null, null, `simulated HTTP ${failures.status}`), failures.status);
    }
    return next();
  });

  // Every call but login needs `Authorization: Bearer <token>`: none → 403 (the doc's 403 row says exactly "check
  // that the Authorization header was added"), an invalid or expired token → 401.
  app.use('*', async (c, next) => {
    if (c.req.path === PZ_PATHS.login) return next();
    const header = c.req.header('authorization');
    if (!header) throw new SimFailure(403, null, 'Access Denied');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const verdict = match?.[1] ? verifyJwtHs256(match[1], jwtSecret, clock.now()) : null;
    if (!verdict?.ok) throw new SimFailure(401, null, `Unauthorized: ${verdict?.reason ?? 'malformed'}`);
    return next();
  });

  registerPayzeroRoutes(app, {
    username,
    password,
    clock,
    jwtSecret: () => jwtSecret,
    countLogin: () => {
      logins++;
    },
    nextBatchId: () => ++batchSeq,
    batches,
    createOrders,
    pay,
    findOrder,
    findBatch,
  });
  registerPayzeroRefundRoutes(app, { clock, timeScale, orders, refunds, schedule });

  registerAgreementRoutes(app, {
    clock,
    smsCode: options.smsCode ?? PAYZERO_SIMULATOR_DEFAULTS.smsCode,
    hex: () => randomBytes(10).toString('hex'),
    smsLog,
  });

  // --- lifecycle and controls -----------------------------------------------------------------------------------

  const close = async (): Promise<void> => {
    closed = true;
    closing.abort(new Error('payzero simulator closed'));
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await Promise.all([...servers].map(closeServer));
    servers.clear();
  };

  return {
    app,
    close,
    async start(port = 0, hostname = '127.0.0.1') {
      const server = await new Promise<ServerType>((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port, hostname }, () => resolve(s));
        s.once('error', reject);
      });
      servers.add(server);
      const { port: bound } = server.address() as AddressInfo;
      return { url: `http://${hostname}:${bound}`, close };
    },
    failNext(n, status = 500) {
      failures = { left: n, status };
    },
    dropNotifies(drop = true) {
      dropping = drop;
    },
    setCardBehaviour(last4, behaviour) {
      if (!/^\d{4}$/.test(last4)) throw new Error(`last4 must be 4 digits, got ${last4}`);
      cards.set(last4, behaviour);
    },
    setCardQuota(fen) {
      quotaFen = fen;
    },
    rotateJwtSecret(secret = `${jwtSecret}-rotated`) {
      jwtSecret = secret;
    },
    get notifyLog() {
      return notifier.log;
    },
    orders,
    refunds,
    smsLog,
    get loginCount() {
      return logins;
    },
  };
}
