// Mounted at /api: `POST /orders/:orderNo/pay/balance` (the wallet balance with the payment PIN).
import { BalancePayRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { limitPerIp, limitPerUser } from '../ratelimit/ratelimit.service.ts';
import { payWithBalance } from './balance.service.ts';

export function balanceRoutes(deps: Deps) {
  return new Hono<AppEnv>().post('/orders/:orderNo/pay/balance', requireSession(deps), limitPerIp(deps, 'pin_per_ip'), limitPerUser(deps, 'pin_per_user'), validate('param', OrderParam), validate('json', BalancePayRequest), async (c) =>
    c.json(await payWithBalance(deps, c.get('session'), c.req.valid('param').orderNo, c.req.valid('json').pin), 200),
  );
}
