// The simulator's documented endpoints (login, batches, createAndPay, create, arrangePay, feedback, queryOrder), on
// the state the simulator passes in.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../src/lib/clock.ts';
import {
  FEEDBACK_PAGE_SIZE_MAX,
  PZ_CODES,
  PZ_PATHS,
  PZ_TOKEN_TTL_SEC,
  formatChinaCompact,
  type PayStatus,
} from '../../src/providers/payzero/protocol.ts';
import { signJwtHs256 } from '../../src/providers/payzero/sign.ts';
import type { SimulatedOrder } from './simulator-types.ts';
import { SimFailure, business, envelope, isPayable, orderSchema, parse, readJson, resultDto, type OrderRequest } from './simulator-wire.ts';

/** A batch as the simulator holds it: its orders and the answer of its creation. */
export interface SimulatedBatch {
  orderNos: string[];
  created: Record<string, unknown>;
}

/** What the endpoints read and change of the simulator's state. */
export interface PayzeroRouteContext {
  username: string;
  password: string;
  clock: Clock;
  /** The current HS256 key (rotated by `rotateJwtSecret`). */
  jwtSecret(): string;
  /** Counts one issued token. */
  countLogin(): void;
  nextBatchId(): number;
  batches: Map<number, SimulatedBatch>;
  createOrders(requests: OrderRequest[], orderBatchId: number | null): SimulatedOrder[];
  pay(list: SimulatedOrder[]): void;
  findOrder(c: Context): SimulatedOrder;
  findBatch(c: Context): SimulatedOrder[];
}

/** Registers the endpoints on `app`, each answering the envelope; another method on a path answers 405. */
export function registerPayzeroRoutes(app: Hono, ctx: PayzeroRouteContext): void {
  const { username, password, clock, batches, createOrders, pay, findOrder, findBatch } = ctx;

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
    ctx.countLogin();
    const iat = Math.floor(clock.now() / 1000);
    const token = signJwtHs256({ sub: username, roles: ['ROLE_USER'], iat, exp: iat + PZ_TOKEN_TTL_SEC }, ctx.jwtSecret());
    return { username, token };
  });

  route('POST', PZ_PATHS.orderBatch, async (c) => {
    const requests = parse(z.array(orderSchema).min(1), await readJson(c));
    const orderBatchId = ctx.nextBatchId();
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
}
