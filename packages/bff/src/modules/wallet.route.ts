// The user-facing API the H5 calls: entry, policies, orders, cashier, balance pay. Thin: parse, call, map.
import { BalancePayRequest, CreateOrderRequest, SessionRequest } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { requireSession, validate, type AppEnv } from '../http/middleware.ts';
import { createOrder, listOrders, orderForSession, viewOrder } from './order/order.service.ts';
import { cashier, payInsurerOnly, payWithBalance } from './payment/payment.service.ts';
import { listValidPolicies, quotePolicy } from './policy/policy.service.ts';
import { entryForSession, openSession } from './session/session.service.ts';
import { findOrder } from './order/order.repository.ts';

const OrderParam = z.object({ orderNo: z.string().min(1).max(32) });
const PolicyParam = z.object({ policyNo: z.string().min(1).max(64) });

export function walletRoutes(deps: Deps) {
  const authed = requireSession(deps);
  return new Hono<AppEnv>()
    .post('/session', validate('json', SessionRequest), async (c) => c.json(await openSession(deps, c.req.valid('json').params), 200))
    .get('/entry', authed, async (c) => c.json({ next: await entryForSession(deps, c.get('session')) }, 200))
    .get('/policies', authed, async (c) => c.json(await listValidPolicies(deps, c.get('session')), 200))
    .get('/policies/:policyNo/quote', authed, validate('param', PolicyParam), async (c) => c.json(await quotePolicy(deps, c.get('session'), c.req.valid('param').policyNo), 200))
    .post('/orders', authed, validate('json', CreateOrderRequest), async (c) => {
      const { order, created } = await createOrder(deps, c.get('session'), c.req.valid('json').policy_no);
      if (created) await payInsurerOnly(deps, order);
      const fresh = (await findOrder(deps.db, order.order_no)) ?? order;
      return c.json({ order: await viewOrder(deps, fresh), created }, created ? 201 : 200);
    })
    .get('/orders', authed, async (c) => c.json(await listOrders(deps, c.get('session')), 200))
    .get('/orders/:orderNo', authed, validate('param', OrderParam), async (c) => {
      const order = await orderForSession(deps.db, c.get('session'), c.req.valid('param').orderNo);
      return c.json({ order: await viewOrder(deps, order) }, 200);
    })
    .get('/orders/:orderNo/cashier', authed, validate('param', OrderParam), async (c) => c.json(await cashier(deps, c.get('session'), c.req.valid('param').orderNo), 200))
    .post('/orders/:orderNo/pay/balance', authed, validate('param', OrderParam), validate('json', BalancePayRequest), async (c) =>
      c.json(await payWithBalance(deps, c.get('session'), c.req.valid('param').orderNo, c.req.valid('json').pin), 200),
    );
}
