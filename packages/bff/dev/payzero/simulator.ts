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
import { z } from 'zod';
import { systemClock, type Clock } from '../../src/lib/clock.ts';
import {
  FEEDBACK_PAGE_SIZE_MAX,
  MCHT_ORDER_NO_PATTERN,
  NOTIFY_TIMEOUT_MS,
  PAY_STATUS_NOTIFY,
  PZ_CODES,
  PZ_CODE_TEXT,
  PZ_PATHS,
  PZ_TOKEN_TTL_SEC,
  SUBJECT_MAX_LENGTH,
  formatChinaCompact,
  type PayStatus,
  type PayzeroEnvelope,
  type PayzeroOrderResult,
} from '../../src/providers/payzero/protocol.ts';
import { signJwtHs256, verifyJwtHs256 } from '../../src/providers/payzero/sign.ts';
import { Notifier, type NotifyAttempt } from './simulator-notifier.ts';

export type { NotifyAttempt } from './simulator-notifier.ts';

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

const UNKNOWN_CARD: CardBehaviour = { outcome: 'reject', errorCode: PZ_CODES.NO_SIGNED_CARD };

/** Dev credentials, used when the options leave them out (never valid against the real service). */
export const PAYZERO_SIMULATOR_DEFAULTS = {
  username: 'zf-demo-app',
  password: 'zf-demo-app-key',
  jwtSecret: 'payzero-simulator-jwt-secret',
  signToken: 'payzero-simulator-sign-token',
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
  /** Tokens issued by `/auth/login`. */
  readonly loginCount: number;
}

class SimFailure extends Error {
  constructor(
    readonly status: 200 | 400 | 401 | 403 | 405 | 500,
    readonly errorCode: string | null,
    message: string,
  ) {
    super(message);
  }
}

const text = z.string().nullish();
const orderSchema = z.object({
  currency: z.literal('CNY'),
  mchtOrderNo: z.string().regex(MCHT_ORDER_NO_PATTERN),
  paymentAmount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  subject: z.string().min(1).max(SUBJECT_MAX_LENGTH),
  orderDatetime: text,
  payerName: text,
  payerNumber: text,
  payerPhone: text,
  payerCardNo: z.string().min(4).max(40).nullish(),
  notifyUrl: z.url().nullish(),
  customsCode: text,
  customsAreaCode: text,
  customsJyOrg: text,
  customsInType: text,
  items: z
    .array(z.object({ subject: z.string().max(SUBJECT_MAX_LENGTH), itemLink: z.string(), articleNum: text }))
    .nullish(),
});
type OrderRequest = z.output<typeof orderSchema>;

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
  const batches = new Map<number, { orderNos: string[]; created: Record<string, unknown> }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const servers = new Set<ServerType>();
  const closing = new AbortController();

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

  const route = (method: 'GET' | 'POST', path: string, handler: (c: Context) => Promise<unknown> | unknown) => {
    app.on(method, path, async (c) => c.json(envelope(true, await handler(c))));
    app.all(path, () => {
      throw new SimFailure(405, null, 'Method Not Allowed');
    });
  };

  route('POST', PZ_PATHS.login, async (c) => {
    const body = parse(z.object({ username: z.string(), password: z.string() }), await readJson(c));
    if (body.username !== username || body.password !== password) {
      throw new SimFailure(401, null, '用户名或密码错误');
    }
    logins++;
    const iat = Math.floor(clock.now() / 1000);
    const token = signJwtHs256({ sub: username, roles: ['ROLE_USER'], iat, exp: iat + PZ_TOKEN_TTL_SEC }, jwtSecret);
    return { username, token };
  });

  route('POST', PZ_PATHS.orderBatch, async (c) => {
    const requests = parse(z.array(orderSchema).min(1), await readJson(c));
    const orderBatchId = ++batchSeq;
    const created = createOrders(requests, orderBatchId);
    const now = clock.now();
    const data = {
      orderBatchId,
      merchantId: 1,
      dispBatchNum: `${formatChinaCompact(now)}${String(now % 1000).padStart(3, '0')}`,
      isReconed: false,
      feeAmount: null,
      orderTotalAmount: created.reduce((sum, o) => sum + o.paymentAmount, 0),
      objectId: null,
      feedbackObjectId: null,
      createdTime: now,
      updatedTime: now,
    };
    batches.set(orderBatchId, { orderNos: created.map((o) => o.mchtOrderNo), created: data });
    return data;
  });

  route('GET', `${PZ_PATHS.orderBatch}/:id/pay`, (c) => {
    const toPay = findBatch(c).filter(isPayable);
    if (toPay.length === 0) throw business(PZ_CODES.NO_ORDERS_TO_EXECUTE);
    pay(toPay);
    return '分配任务完成';
  });

  route('GET', `${PZ_PATHS.orderBatch}/:id/summary`, (c) => {
    const list = findBatch(c);
    const count = (s: PayStatus) => list.filter((o) => o.payStatus === s).length;
    const paid = list.filter((o) => o.payStatus === 'PAY_SUCCEED');
    return {
      total: list.length,
      paySuccessCount: paid.length,
      payFailedCount: count('PAY_FAILED'),
      payOtherCount: list.length - paid.length - count('PAY_FAILED'),
      declareSuccessCount: 0,
      declareFailedCount: 0,
      declareOtherCount: list.length, // nothing is declared to customs here
      totalPaymentAmount: paid.reduce((sum, o) => sum + o.paymentAmount, 0),
    };
  });

  route('GET', `${PZ_PATHS.orderBatch}/:id/feedback`, (c) => {
    const list = findBatch(c);
    const { page, pagesize } = parse(
      z.object({
        page: z.coerce.number().int().min(1).default(1),
        pagesize: z.coerce.number().int().min(1).max(FEEDBACK_PAGE_SIZE_MAX).default(10),
      }),
      c.req.query(),
    );
    // Newest first (§2.5); insertion order breaks ties between orders created in the same millisecond.
    const sorted = list.map((o, i) => ({ o, i })).sort((a, b) => b.o.createdAt - a.o.createdAt || b.i - a.i);
    const rows = sorted.slice((page - 1) * pagesize, page * pagesize).map(({ o }) => resultDto(o));
    return { rows, page, pagesize, total: list.length };
  });

  const createOne = async (c: Context): Promise<SimulatedOrder> => {
    const [order] = createOrders([parse(orderSchema, await readJson(c))], null);
    if (!order) throw new Error('createOrders returned nothing for one valid order');
    return order;
  };

  route('POST', PZ_PATHS.createAndPay, async (c) => {
    const order = await createOne(c);
    pay([order]); // a refusal leaves the order created and NOT_PAYED, payable later by arrangePay
    return { mchtOrderNo: order.mchtOrderNo };
  });

  route('POST', PZ_PATHS.create, async (c) => ({ mchtOrderNo: (await createOne(c)).mchtOrderNo }));

  route('GET', PZ_PATHS.arrangePay, (c) => {
    const order = findOrder(c);
    if (!isPayable(order)) throw business(PZ_CODES.NO_ORDERS_TO_EXECUTE);
    pay([order]);
    return '订单进入支付队列成功';
  });

  route('GET', PZ_PATHS.feedback, (c) => resultDto(findOrder(c)));
  route('GET', PZ_PATHS.queryOrder, (c) => resultDto(findOrder(c)));

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
    get loginCount() {
      return logins;
    },
  };
}

function isPayable(order: SimulatedOrder): boolean {
  return order.payStatus === 'NOT_PAYED' || order.payStatus === 'PAY_FAILED';
}

function business(code: string): SimFailure {
  return new SimFailure(200, code, PZ_CODE_TEXT[code] ?? code);
}

function envelope<T>(success: boolean, data: T, errorCode: string | null = null, errorMsg: string | null = null) {
  const body: PayzeroEnvelope<T> = { success, errorMsg, errorCode, data };
  return body;
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return (await c.req.json()) as unknown;
  } catch (err) {
    throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, `请求体不是合法的JSON: ${(err as Error).message}`);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(body)';
  throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, `参数 ${path} 未正确设置。`);
}

/** The `orderResultDto` (§2.4) of an order. */
function resultDto(o: SimulatedOrder): PayzeroOrderResult {
  return {
    mchtOrderNo: o.mchtOrderNo,
    paymentAmount: o.paymentAmount,
    payerName: o.payerName,
    payerNumber: o.payerNumber,
    payerPhone: o.payerPhone,
    subject: o.subject,
    payStatus: o.payStatus,
    declareStatus: 'NOT_DECLARED',
    declareFailReason: null,
    paymentOrderNo: o.paymentOrderNo,
    verDept: null,
    payType: '4',
    initRequest: null,
    initResponse: o.failReason === null ? null : JSON.stringify({ retcode: 'FAIL', errmsg: o.failReason }),
    paymentDatetime: o.paymentDatetime,
    customsPayCompanyName: null,
    customsPayCompanyCode: null,
  };
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive sockets would hold close() open until they time out.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
