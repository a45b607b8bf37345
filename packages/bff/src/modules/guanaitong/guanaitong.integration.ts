// The Guanaitong integration of this BFF: the one client built from config (shared by the routes, so one access
// token serves every payment) and the job of Guanaitong payments.
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { failStaleGuanaitongAttempts } from './guanaitong-result.service.ts';
import { GuanaitongClient } from '../../providers/guanaitong/client.ts';

const built = new WeakMap<Deps, GuanaitongClient>();

/**
 * The Guanaitong client of these deps, built from `config.guanaitong` on first use and then reused, so every caller
 * shares one token cache (the service allows 60 token requests an hour).
 */
export function guanaitongClient(deps: Deps): GuanaitongClient {
  const existing = built.get(deps);
  if (existing) return existing;
  const { baseUrl, appid, appsecret } = deps.config.guanaitong;
  const client = new GuanaitongClient({
    baseUrl,
    appid,
    appsecret,
    timeoutMs: deps.config.providerTimeoutMs,
    clock: deps.clock,
    fetch: deps.fetch,
    logger: deps.logger.child({ provider: 'guanaitong' }),
  });
  built.set(deps, client);
  return client;
}

/** The Guanaitong jobs, for `startJobs(deps, guanaitongJobs(deps))`. */
export function guanaitongJobs(deps: Deps): Job[] {
  return [{ name: 'guanaitong-stale-attempts', everyMs: 60_000, run: () => failStaleGuanaitongAttempts(deps) }];
}
