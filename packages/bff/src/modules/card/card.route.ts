// The card API the H5 calls: bound cards (bind with an SMS code, remove) and pay by card. Thin: parse, call, map.
import { AddCardRequest, CardPayRequest, ConfirmCardRequest } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { limitPinTries } from '../ratelimit/ratelimit.service.ts';
import { payzeroIntegration } from './payzero.integration.ts';
import { payByCard } from './card-pay.service.ts';
import { confirmCardBinding, startCardBinding } from './card-bind.service.ts';
import { listCards, removeCard } from './card.service.ts';

const CardParam = z.object({ cardId: z.string().min(1).max(40) });

/**
 * Mounted at `/api`: `GET /cards`, `POST /cards` (sends the SMS code; 202, or 200 for a card already bound),
 * `POST /cards/confirm` (the code; 201 bound, 200 restored), `DELETE /cards/:cardId` (204),
 * `POST /orders/:orderNo/pay/card` (with the payment PIN).
 */
export function cardRoutes(deps: Deps) {
  const authed = requireSession(deps);
  const { client } = payzeroIntegration(deps);
  return new Hono<AppEnv>()
    .get('/cards', authed, async (c) => c.json(await listCards(deps, c.get('session')), 200))
    .post('/cards', authed, validate('json', AddCardRequest), async (c) => {
      const started = await startCardBinding(deps, client, c.get('session'), c.req.valid('json'));
      return c.json(started, 'binding' in started ? 202 : 200);
    })
    .post('/cards/confirm', authed, validate('json', ConfirmCardRequest), async (c) => {
      const bound = await confirmCardBinding(deps, client, c.get('session'), c.req.valid('json'));
      return c.json(bound, bound.created ? 201 : 200);
    })
    .delete('/cards/:cardId', authed, validate('param', CardParam), async (c) => {
      await removeCard(deps, c.get('session'), c.req.valid('param').cardId);
      return c.body(null, 204);
    })
    .post(
      '/orders/:orderNo/pay/card',
      authed,
      limitPinTries(deps),
      validate('param', OrderParam),
      validate('json', CardPayRequest),
      async (c) => c.json(await payByCard(deps, client, c.get('session'), c.req.valid('param').orderNo, c.req.valid('json')), 202),
    );
}
