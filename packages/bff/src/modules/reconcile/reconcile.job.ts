// The daily reconciliation: at 03:00 Asia/Shanghai, the last two days' orders and the books; any difference is
// raised once per day for admins (RECONCILE_DIFFERENCE). Card attempts are checked with Payzero's `/order/feedback`.
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { payzeroIntegration } from '../card/payzero.integration.ts';
import { reconcile, type CardLookup, type ReconcileReport } from './reconcile.service.ts';

const DAY = 86_400_000;

/** Payzero's own record of a card payment, through the one client of these deps. */
export function payzeroLookup(deps: Deps): CardLookup {
  const { client } = payzeroIntegration(deps);
  return async (mchtOrderNo) => {
    const r = await client.queryFeedback(mchtOrderNo);
    return { payStatus: r.payStatus, paymentAmount: r.paymentAmount };
  };
}

/** Runs the reconciliation of the last `days` days and raises its differences (once per Shanghai date). */
export async function dailyReconcile(deps: Deps, days = 2): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const report = await reconcile(deps, { since: now - days * DAY, cardLookup: payzeroLookup(deps) });
  if (report.differences.length) {
    const date = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
    const checks = [...new Set(report.differences.map((d) => d.check))].join(', ');
    await raiseAlert(deps.db, deps.logger, {
      kind: 'RECONCILE_DIFFERENCE',
      dedupeKey: `RECONCILE_DIFFERENCE:${date}`,
      detail: `${report.differences.length} difference(s) (${checks}); run pnpm reconcile for the list`,
      now,
    });
  }
  return report;
}

/** The job: checked every 10 minutes, it runs in the 03:00–03:10 Shanghai slot only. */
export function reconcileJobs(deps: Deps): Job[] {
  return [
    {
      name: 'daily-reconcile',
      everyMs: 10 * 60_000,
      run: async () => {
        const shanghai = new Date(deps.clock.now() + 8 * 3600_000);
        if (shanghai.getUTCHours() === 3 && shanghai.getUTCMinutes() < 10) await dailyReconcile(deps);
      },
    },
  ];
}
