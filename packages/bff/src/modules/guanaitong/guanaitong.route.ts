// The HTTP surface of 关爱通 payments, mounted under /api: the H5's start and quota-picker calls, and the three
// addresses Guanaitong sends the browser or its notifies to. Thin: parse, call the service, answer or redirect.
import { GuanaitongPayRequest, GuanaitongStartRequest } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { OrderParam, validate } from '../../http/validation.ts';
import { completeGuanaitongLogin, payWithPickedAsset, readGuanaitongPick, startGuanaitongPay } from './guanaitong-pay.service.ts';
import { handleGuanaitongNotify, handleGuanaitongReturn } from './guanaitong-result.service.ts';
import { guanaitongNotifyHandler } from '../../providers/guanaitong/notify-handler.ts';
import { guanaitongClient } from './guanaitong.integration.ts';
import { limitPerIp } from '../ratelimit/ratelimit.service.ts';

const PickQuery = z.object({ pick: z.string().min(1).max(4000) });

/** Routes relative to /api; the paths are GUANAITONG_PATHS of the service (plus the session's start). */
export function guanaitongRoutes(deps: Deps) {
  const client = guanaitongClient(deps);
  const notify = guanaitongNotifyHandler({
    verify: (form) => client.verifyNotify(form),
    onNotify: (verified) => handleGuanaitongNotify(deps, verified),
    onRefused: (info) => deps.logger.warn({ reason: info.reason, outer_trade_no: info.outerTradeNo }, 'guanaitong notify refused'),
  });
  return (
    new Hono<AppEnv>()
      // The H5 (session): where to send the browser to log in at Guanaitong.
      .post(
        '/orders/:orderNo/pay/guanaitong/start',
        requireSession(deps),
        validate('param', OrderParam),
        validate('json', GuanaitongStartRequest),
        async (c) =>
          c.json(await startGuanaitongPay(deps, client, c.get('session'), c.req.valid('param').orderNo, c.req.valid('json').pay_type), 200),
      )
      // Guanaitong's login sends the browser here (the signed state authenticates it).
      .get('/providers/guanaitong/auth-callback', async (c) => c.redirect(await completeGuanaitongLogin(deps, client, c.req.query()), 302))
      // The H5 quota picker (the signed pick token authenticates it).
      .get('/providers/guanaitong/pick', validate('query', PickQuery), async (c) =>
        c.json(await readGuanaitongPick(deps, c.req.valid('query').pick), 200),
      )
      .post('/providers/guanaitong/pay', validate('json', GuanaitongPayRequest), async (c) => {
        const body = c.req.valid('json');
        return c.json(await payWithPickedAsset(deps, client, body.pick, body.account_openid), 200);
      })
      // Guanaitong's return_url and notify_url.
      .get('/providers/guanaitong/return', async (c) => c.redirect(await handleGuanaitongReturn(deps, client, c.req.query()), 302))
      .post('/providers/guanaitong/notify', limitPerIp(deps, 'notify_per_ip', 'guanaitong:'), notify)
  );
}
