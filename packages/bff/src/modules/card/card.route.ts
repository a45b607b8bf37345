// The card API the H5 calls (bound cards, pay by card) and Payzero's notify endpoint. Thin: parse, call, map.
import { AddCardRequest, CardPayRequest } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { requireSession, validate, type AppEnv } from '../../http/middleware.ts';
import { payzeroIntegration } from './payzero.integration.ts';
import { payzeroNotifyRoute } from './payzero-notify.route.ts';
import { payByCard } from './card-pay.service.ts';
import { addCard, listCards } from './card.service.ts';

const OrderParam = z.object({ orderNo: z.string().min(1).max(32) });

/** Mounted at `/api`: `GET|POST /cards`, `POST /orders/:orderNo/pay/card`, `POST /providers/payzero/notify`. */
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
    )
    .route('/providers/payzero/notify', payzeroNotifyRoute(deps));
}
