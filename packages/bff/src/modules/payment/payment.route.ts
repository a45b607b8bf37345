// Mounted at /api: confirming an order under a policy (`POST /orders`) and the cashier of an order.
import { CreateOrderRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { limitPerSession } from '../ratelimit/ratelimit.service.ts';
import { cashier } from './cashier.service.ts';
import { closeOrderByUser } from './order-close.service.ts';
import { confirmOrder } from './payment.service.ts';

export function paymentRoutes(deps: Deps) {
  const authed = requireSession(deps);
  return (
    new Hono<AppEnv>()
      .post('/orders', authed, limitPerSession(deps, 'order_per_session'), validate('json', CreateOrderRequest), async (c) => {
        const confirmed = await confirmOrder(deps, c.get('session'), c.req.valid('json').policy_no);
        return c.json(confirmed, confirmed.created ? 201 : 200);
      })
      .get('/orders/:orderNo/cashier', authed, validate('param', OrderParam), async (c) =>
        c.json(await cashier(deps, c.get('session'), c.req.valid('param').orderNo), 200),
      )
      // 更换保单: close the open order (no attempt in flight) so the user can pick another policy.
      .post('/orders/:orderNo/close', authed, validate('param', OrderParam), async (c) =>
        c.json(await closeOrderByUser(deps, c.get('session'), c.req.valid('param').orderNo), 200),
      )
  );
}
