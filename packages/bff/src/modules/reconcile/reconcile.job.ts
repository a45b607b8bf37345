// The daily reconciliation: from 03:00 Asia/Shanghai, the last two days' orders and the books, stored as a run
// (`ran_by = job`, once a day across instances: a day's run that is running or done is not repeated; one that failed
// or found the slot taken is tried again at the next tick within the hour); any difference is raised once per day for
// admins (RECONCILE_DIFFERENCE). Card attempts are checked with Payzero's `/order/feedback`.
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { payzeroIntegration } from '../card/payzero.integration.ts';
import { runBySince } from './reconcile-runs.repository.ts';
import { recordedReconcile } from './reconcile-runs.service.ts';
import type { CardLookup, ReconcileReport } from './reconcile.service.ts';

const DAY = 86_400_000;

/** Payzero's own record of a card payment, through the one client of these deps. */
export function payzeroLookup(deps: Deps): CardLookup {
  const { client } = payzeroIntegration(deps);
  return async (mchtOrderNo) => {
    const r = await client.queryFeedback(mchtOrderNo);
    return { payStatus: r.payStatus, paymentAmount: r.paymentAmount };
  };
}

/**
 * Runs (and stores) the reconciliation of the last `days` days and raises its differences (once per Shanghai date).
 * Null when another run holds the running slot.
 */
export async function dailyReconcile(deps: Deps, days = 2): Promise<ReconcileReport | null> {
  const now = deps.clock.now();
  const done = await recordedReconcile(deps, { since: now - days * DAY, until: now, ranBy: 'job' }, payzeroLookup(deps));
  if (!done) return null;
  const { report, run } = done;
  if (report.differences.length) {
    const date = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
    const checks = [...new Set(report.differences.map((d) => d.check))].join(', ');
    await raiseAlert(deps.db, deps.logger, {
      kind: 'RECONCILE_DIFFERENCE',
      dedupeKey: `RECONCILE_DIFFERENCE:${date}`,
      detail: `${report.differences.length} difference(s) (${checks}); see run ${run.id} on the console's 对账 page`,
      now,
    });
  }
  return report;
}

/** The job: checked every 10 minutes, it runs once in the 03:00–04:00 Shanghai hour. */
export function reconcileJobs(deps: Deps): Job[] {
  return [
    {
      name: 'daily-reconcile',
      everyMs: 10 * 60_000,
      run: async () => {
        const now = deps.clock.now();
        const shanghai = new Date(now + 8 * 3600_000);
        if (shanghai.getUTCHours() !== 3) return;
        const slotStart = now - (shanghai.getUTCMinutes() * 60_000 + shanghai.getUTCSeconds() * 1000 + shanghai.getUTCMilliseconds());
        if (!(await runBySince(deps.db, 'job', slotStart))) await dailyReconcile(deps);
      },
    },
  ];
}
