// Mounted at /api: the session user's payment records and one order of the session.
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { listOrders, showOrder } from './order.service.ts';

export function orderRoutes(deps: Deps) {
  const authed = requireSession(deps);
  return new Hono<AppEnv>()
    .get('/orders', authed, async (c) => c.json(await listOrders(deps, c.get('session')), 200))
    .get('/orders/:orderNo', authed, validate('param', OrderParam), async (c) =>
      c.json(await showOrder(deps, c.get('session'), c.req.valid('param').orderNo), 200),
    );
}
