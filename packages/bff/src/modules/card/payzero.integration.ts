// The Payzero integration of this BFF: the one client built from config (shared by the routes, the jobs and tests),
// and the jobs of card payments (the 5-second rule, polling late bank results).
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { pollCardResults, sendCardTimeouts } from './card-result.service.ts';
import { PayzeroClient } from '../../providers/payzero/client.ts';
import { PAYZERO_NOTIFY_PATH } from '../../providers/payzero/notify.ts';

/** What the BFF holds of Payzero. */
export interface PayzeroIntegration {
  client: PayzeroClient;
  /** Sent as every order's `notifyUrl`. */
  notifyUrl: string;
}

const built = new WeakMap<Deps, PayzeroIntegration>();

/**
 * The Payzero client of these deps, built from `config.payzero` on first use and then reused, so every caller
 * shares one token cache (one login per 4 h, not one per request).
 */
export function payzeroIntegration(deps: Deps): PayzeroIntegration {
  const existing = built.get(deps);
  if (existing) return existing;
  const notifyUrl = `${deps.config.publicBaseUrl}${PAYZERO_NOTIFY_PATH}`;
  const client = new PayzeroClient({
    ...deps.config.payzero,
    notifyUrl,
    timeoutMs: deps.config.providerTimeoutMs,
    clock: deps.clock,
    fetch: deps.fetch,
    logger: deps.logger.child({ provider: 'payzero' }),
  });
  const integration = { client, notifyUrl };
  built.set(deps, integration);
  return integration;
}

/** The card-payment jobs, for `startJobs(deps, payzeroJobs(deps))`. */
export function payzeroJobs(deps: Deps, client: PayzeroClient = payzeroIntegration(deps).client): Job[] {
  return [
    {
      name: 'payzero-timeouts',
      everyMs: 500,
      // "send the partner a timeout callback at once": deliver right away rather than at the next delivery tick.
      run: async () => {
        if ((await sendCardTimeouts(deps)) > 0) await deliverDueCallbacks(deps);
      },
    },
    { name: 'payzero-poll', everyMs: 1_000, run: () => pollCardResults(deps, client) },
  ];
}
