// The daily reconciliation: from 03:00 Asia/Shanghai, the orders of the Shanghai day that ended at 02:00 (an hour
// before the run, so an order paid just before it has its final callback delivered before it is checked) and the
// books, stored as a run (`ran_by = job`, once a day across instances: a day's run that is running or done is not
// repeated; one that failed or found the slot taken is tried again at the next tick within the hour); any difference
// is raised once per day for admins (RECONCILE_DIFFERENCE). Card attempts are checked with Payzero's `/order/feedback`.
// The windows tile: each day's is [02:00 the day before, 02:00), whenever in the hour the run starts.
import type { Deps } from '../../deps.ts';
import type { Job } from '../../jobs/scheduler.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { payzeroIntegration } from '../card/payzero.integration.ts';
import { differencesOf, findRun, runBySince } from './reconcile-runs.repository.ts';
import { MAX_STORED_DIFFERENCES, recordedReconcile, resumeRun } from './reconcile-runs.service.ts';
import type { CardLookup, ReconcileReport } from './reconcile.service.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHANGHAI = 8 * HOUR;
/** The daily window ends at this Shanghai hour: an hour before the run at 03:00. */
const WINDOW_END_HOUR = 2;

/** The daily window for a run at `now`: the 24 h up to the last Shanghai 02:00 at least an hour before `now`. */
export function dailyWindow(now: number): { since: number; until: number } {
  const local = now - HOUR + SHANGHAI;
  let end = Math.floor(local / DAY) * DAY + WINDOW_END_HOUR * HOUR;
  if (end > local) end -= DAY;
  const until = end - SHANGHAI;
  return { since: until - DAY, until };
}

/** Payzero's own record of a card payment, through the one client of these deps. */
export function payzeroLookup(deps: Deps): CardLookup {
  const { client } = payzeroIntegration(deps);
  return async (mchtOrderNo) => {
    const r = await client.queryFeedback(mchtOrderNo);
    return { payStatus: r.payStatus, paymentAmount: r.paymentAmount };
  };
}

/**
 * Runs (and stores) the reconciliation of the daily window ({@link dailyWindow}) and raises its differences (once per
 * Shanghai date). Null when another run holds the running slot.
 */
export async function dailyReconcile(deps: Deps): Promise<ReconcileReport | null> {
  const done = await recordedReconcile(deps, { ...dailyWindow(deps.clock.now()), ranBy: 'job' }, payzeroLookup(deps));
  if (!done) return null;
  await raiseDifferences(deps, done.run.id);
  return done.report;
}

/** A finished daily run's differences, raised once for the Shanghai date it started on (a resumed run's too). */
async function raiseDifferences(deps: Deps, runId: string): Promise<void> {
  const run = await findRun(deps.db, runId);
  if (!run || run.state !== 'done' || !Number(run.difference_count)) return;
  const date = new Date(Number(run.started_at) + SHANGHAI).toISOString().slice(0, 10);
  const checks = [...new Set((await differencesOf(deps.db, run.id, MAX_STORED_DIFFERENCES)).map((d) => d.check_name))].join(', ');
  await raiseAlert(deps.db, deps.logger, {
    kind: 'RECONCILE_DIFFERENCE',
    dedupeKey: `RECONCILE_DIFFERENCE:${date}`,
    detail: `${run.difference_count} difference(s) (${checks}); see run ${run.id} on the console's 对账 page`,
    now: deps.clock.now(),
  });
}

/** The job: checked every 10 minutes, it runs once in the 03:00–04:00 Shanghai hour. */
export function reconcileJobs(deps: Deps): Job[] {
  return [
    {
      name: 'daily-reconcile',
      everyMs: 10 * 60_000,
      run: async () => {
        const now = deps.clock.now();
        const shanghai = new Date(now + SHANGHAI);
        if (shanghai.getUTCHours() !== 3) return;
        const slotStart = now - (shanghai.getUTCMinutes() * 60_000 + shanghai.getUTCSeconds() * 1000 + shanghai.getUTCMilliseconds());
        if (!(await runBySince(deps.db, 'job', slotStart))) await dailyReconcile(deps);
      },
    },
    {
      // Any stored run (the daily job's, the CLI's, the console's) whose instance stopped is finished here.
      name: 'resume-reconcile',
      everyMs: 60_000,
      run: async () => {
        const resumed = await resumeRun(deps, payzeroLookup(deps));
        if (resumed?.run.ran_by === 'job') await raiseDifferences(deps, resumed.run.id);
      },
    },
  ];
}
