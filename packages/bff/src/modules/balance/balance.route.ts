// Mounted at /api: `POST /orders/:orderNo/pay/balance` (the wallet balance with the payment PIN), and setting or
// resetting the PIN with an SMS code: `POST /pin/sms`, `PUT /pin`.
import { BalancePayRequest, PinSmsRequest, SetPinRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { payzeroIntegration } from '../card/payzero.integration.ts';
import { limitPinTries } from '../ratelimit/ratelimit.service.ts';
import { payWithBalance } from './balance.service.ts';
import { sendPinSms, setPin } from './pin-setup.service.ts';

export function balanceRoutes(deps: Deps) {
  const authed = requireSession(deps);
  const { client } = payzeroIntegration(deps);
  return new Hono<AppEnv>()
    .post(
      '/orders/:orderNo/pay/balance',
      authed,
      limitPinTries(deps),
      validate('param', OrderParam),
      validate('json', BalancePayRequest),
      async (c) =>
        c.json(
          await payWithBalance(
            deps,
            c.get('session'),
            c.req.valid('param').orderNo,
            c.req.valid('json').pin,
            c.req.valid('json').confirm_supersede,
          ),
          200,
        ),
    )
    .post('/pin/sms', authed, validate('json', PinSmsRequest), async (c) =>
      c.json(await sendPinSms(deps, client, c.get('session'), c.req.valid('json').card_id), 202),
    )
    .put('/pin', authed, validate('json', SetPinRequest), async (c) =>
      c.json(await setPin(deps, client, c.get('session'), c.req.valid('json')), 200),
    );
}
