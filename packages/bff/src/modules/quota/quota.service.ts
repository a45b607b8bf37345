// The insurer quota's rules beyond the sum: alert levels (a warning and a critical level per insurer, raised once per
// crossing, re-armed when a recharge brings the quota back above the level) with the insurer's runway at the recent
// burn rate; recharges made by us; the early warning of a hold at order creation; the periodic recount.
import { formatYuan } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { allThresholds, disarm, findThresholds, rearm, trackedInsurers, type Level } from './quota-book.repository.ts';

const DAY = 86_400_000;
/** The burn rate is the average daily deduction over this many days. */
export const BURN_WINDOW_DAYS = 7;

/** Days the insurer's quota lasts at its recent burn rate (null when nothing was deducted lately). */
export async function runwayDays(deps: Deps, icCode: string, remainingFen: number): Promise<number | null> {
  const burned = await deps.quota.deductedSince(icCode, deps.clock.now() - BURN_WINDOW_DAYS * DAY);
  if (burned <= 0) return null;
  return Math.max(0, remainingFen) / (burned / BURN_WINDOW_DAYS);
}

/**
 * Compares the insurer's quota with its levels: a level crossed downwards raises QUOTA_LOW_WARNING / _CRITICAL once
 * (the conditional disarm decides the one raiser among instances); a level the quota is back above is re-armed.
 * Returns the alerts it raised.
 */
export async function checkQuotaLevels(deps: Deps, icCode: string, estimateFen?: number): Promise<Level[]> {
  const levels = await findThresholds(deps.db, icCode);
  if (!levels) return [];
  // A payment knows its estimate (the quota it read before, less its deduction), so the quota is read again only when
  // the estimate says an armed level is crossed. An estimate never re-arms a level (a concurrent payment may have
  // taken the quota lower since): re-arming is left to recharges and the levels job, which read the quota.
  const crossed = (limit: number, armed: number) => Number(armed) === 1 && (estimateFen ?? -Infinity) < Number(limit);
  if (
    estimateFen !== undefined &&
    !crossed(levels.warning_fen, levels.warning_armed) &&
    !crossed(levels.critical_fen, levels.critical_armed)
  )
    return [];
  // Exact (the tail summed): the levels job is what catches records other systems wrote, and a crossing is rare.
  const remaining = await deps.quota.remainingExact(icCode);
  const now = deps.clock.now();
  const raised: Level[] = [];
  for (const level of ['warning', 'critical'] as const) {
    const limit = Number(level === 'warning' ? levels.warning_fen : levels.critical_fen);
    const armed = Number(level === 'warning' ? levels.warning_armed : levels.critical_armed) === 1;
    const seq = Number(level === 'warning' ? levels.warning_seq : levels.critical_seq);
    if (remaining < limit && armed) {
      const days = await runwayDays(deps, icCode, remaining);
      const runway = days === null ? 'no deductions in the last 7 days' : `runway ${days.toFixed(1)} days at the last 7 days' burn rate`;
      const won = await inTransaction(deps.db, async (trx) => {
        if (!(await disarm(trx, icCode, level, seq, now))) return false;
        return raiseAlert(trx, deps.logger, {
          kind: level === 'warning' ? 'QUOTA_LOW_WARNING' : 'QUOTA_LOW_CRITICAL',
          dedupeKey: `QUOTA_LOW:${icCode}:${level}:${seq}`,
          amountFen: remaining,
          detail: `insurer ${icCode} quota ${formatYuan(remaining)} below the ${level} level ${formatYuan(limit)}; ${runway}`,
          now,
        });
      });
      if (won) raised.push(level);
    } else if (remaining >= limit && !armed && estimateFen === undefined) {
      await rearm(deps.db, icCode, level, seq, now);
    }
  }
  return raised;
}

/** A recharge made by us (console, refunds): the type 1 record, its ledger mirror, then the levels re-armed. */
export async function rechargeQuota(deps: Deps, icCode: string, amountFen: number, refNo: string): Promise<boolean> {
  const created = await deps.quota.recharge(icCode, amountFen, refNo, deps.clock.now());
  await checkQuotaLevels(deps, icCode);
  return created;
}

/** What the insurer can still give: remaining quota − the holds of open orders. */
export async function availableQuota(deps: Deps, icCode: string): Promise<{ remainingFen: number; heldFen: number; availableFen: number }> {
  const { remainingFen, heldFen } = await deps.quota.remainingAndHeld(icCode);
  return { remainingFen, heldFen, availableFen: remainingFen - heldFen };
}

/**
 * The early warning of order creation (after the hold is placed): when the holds exceed the remaining quota, the
 * insurer will be short when this order is paid. Never blocks the payment (seed 000).
 */
export async function warnIfQuotaShort(deps: Deps, icCode: string, orderNo: string, insurerFen: number): Promise<boolean> {
  const q = await availableQuota(deps, icCode);
  if (q.availableFen >= 0) return false;
  return raiseAlert(deps.db, deps.logger, {
    kind: 'INSURER_QUOTA_SHORT_EARLY',
    dedupeKey: `INSURER_QUOTA_SHORT_EARLY:${orderNo}`,
    orderNo,
    amountFen: insurerFen,
    detail: `insurer ${icCode} quota ${formatYuan(q.remainingFen)} − holds ${formatYuan(q.heldFen)} < 0 with this order's share ${formatYuan(insurerFen)}`,
    now: deps.clock.now(),
  });
}

/** The levels job: catches crossings by records other systems wrote (their deductions, their recharges). */
export async function checkAllQuotaLevels(deps: Deps): Promise<number> {
  let raised = 0;
  for (const row of await allThresholds(deps.db)) raised += (await checkQuotaLevels(deps, row.ic_code)).length;
  return raised;
}

/** The recount job: a full Σ per tracked insurer up to its watermark; a difference is corrected and raised. */
export async function recountQuotaBooks(deps: Deps): Promise<number> {
  let drifted = 0;
  for (const ic of await trackedInsurers(deps.db)) {
    const r = await deps.quota.recount(ic);
    if (r.bookFen === r.recordsFen) continue;
    drifted++;
    await raiseAlert(deps.db, deps.logger, {
      kind: 'QUOTA_BOOK_DRIFT',
      dedupeKey: `QUOTA_BOOK_DRIFT:${ic}:${r.watermarkAt}:${r.recordsFen - r.bookFen}`.slice(0, 128),
      amountFen: r.recordsFen - r.bookFen,
      detail: `insurer ${ic} records up to ${new Date(r.watermarkAt).toISOString()} sum ${formatYuan(r.recordsFen)}, book had ${formatYuan(r.bookFen)} (a record committed later than the settle lag); ${r.corrected ? 'corrected' : 'changed meanwhile, next recount'}`,
      now: deps.clock.now(),
    });
  }
  return drifted;
}
