// The card API the H5 calls: bound cards and pay by card. Thin: parse, call, map.
import { AddCardRequest, CardPayRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { payzeroIntegration } from './payzero.integration.ts';
import { payByCard } from './card-pay.service.ts';
import { addCard, listCards } from './card.service.ts';

/** Mounted at `/api`: `GET|POST /cards`, `POST /orders/:orderNo/pay/card`. */
export function cardRoutes(deps: Deps) {
  const authed = requireSession(deps);
  const { client } = payzeroIntegration(deps);
  return new Hono<AppEnv>()
    .get('/cards', authed, async (c) => c.json(await listCards(deps, c.get('session')), 200))
    .post('/cards', authed, validate('json', AddCardRequest), async (c) => {
      const added = await addCard(deps, c.get('session'), c.req.valid('json'));
      return c.json(added, added.created ? 201 : 200);
    })
    .post('/orders/:orderNo/pay/card', authed, validate('param', OrderParam), validate('json', CardPayRequest), async (c) =>
      c.json(await payByCard(deps, client, c.get('session'), c.req.valid('param').orderNo, c.req.valid('json').card_id), 202),
    );
}
