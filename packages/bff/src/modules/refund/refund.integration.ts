// The refund module's wiring: the provider clients it uses (the same ones as payments, so one token cache each) and
// its job.
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { payzeroIntegration } from '../card/payzero.integration.ts';
import { guanaitongClient } from '../guanaitong/guanaitong.integration.ts';
import type { RefundProviders } from './refund.providers.ts';
import { raiseOverdueRefunds } from './refund.overdue.ts';
import { progressRefunds } from './refund.service.ts';

/** The providers of these deps, built lazily (a balance refund never builds a client). */
export function refundProviders(deps: Deps): RefundProviders {
  return {
    payzero: () => payzeroIntegration(deps).client,
    guanaitong: () => guanaitongClient(deps),
    sellerAppid: deps.config.guanaitong.sellerAppid,
  };
}

/** The refund job: provider status, retries, recovery, and the automatic refunds of extra payments. */
export function refundJobs(deps: Deps): Job[] {
  const providers = refundProviders(deps);
  return [
    { name: 'refund-progress', everyMs: 1_000, run: () => progressRefunds(deps, providers) },
    { name: 'refund-overdue', everyMs: 60_000, run: () => raiseOverdueRefunds(deps) },
  ];
}
