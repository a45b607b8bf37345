// Where Payzero's signed PAY_STATUS_NOTIFY lands (no session): verified by `createPayzeroNotifyRoute`, applied by the
// card-payment service. Answers `OK` once recorded (also for a repeat), 400 `FAIL` for a bad signature or body.
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { handlePayzeroNotify } from './card-result.service.ts';
import { createPayzeroNotifyRoute } from '../../providers/payzero/notify.ts';
import { limitPerIp } from '../ratelimit/ratelimit.service.ts';

/** The notify sub-app, mounted at `PAYZERO_NOTIFY_PATH`. */
export function payzeroNotifyRoute(deps: Deps): Hono {
  const notify = createPayzeroNotifyRoute({
    signToken: deps.config.payzero.signToken,
    logger: deps.logger,
    onPayStatus: async (notify) => {
      await handlePayzeroNotify(deps, notify);
    },
  });
  // Per IP, before the body is read or verified (ZF0120, 429: Payzero resends later).
  return new Hono().use('*', limitPerIp(deps, 'notify_per_ip', 'payzero:')).route('/', notify);
}
