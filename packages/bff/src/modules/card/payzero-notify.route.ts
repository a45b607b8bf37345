// Where Payzero's signed PAY_STATUS_NOTIFY lands (no session): verified by `createPayzeroNotifyRoute`, applied by the
// card-payment service. Answers `OK` once recorded (also for a repeat), 400 `FAIL` for a bad signature or body.
import type { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { handlePayzeroNotify } from './card-result.service.ts';
import { createPayzeroNotifyRoute } from '../../providers/payzero/notify.ts';

/** The notify sub-app, mounted at `PAYZERO_NOTIFY_PATH`. */
export function payzeroNotifyRoute(deps: Deps): Hono {
  return createPayzeroNotifyRoute({
    signToken: deps.config.payzero.signToken,
    logger: deps.logger,
    onPayStatus: async (notify) => {
      await handlePayzeroNotify(deps, notify);
    },
  });
}
