// The alert levels after a payment (issue 11): the payment passes its estimate (the quota it read before, less its
// deduction), so the quota is read again only when the estimate crosses an armed level; an estimate never re-arms.
import { expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { checkQuotaLevels } from './quota.service.ts';

describeEachDatabase('quota levels from a payment’s estimate', (get) => {
  it('reads the quota only when the estimate crosses an armed level, raises once, and never re-arms from an estimate', async () => {
    const ctx = get();
    const { quota } = ctx.deps;
    const remaining = vi.spyOn(quota, 'remainingExact');
    // PICC: 1 000 000.00, warning below 500 000.00, critical below 100 000.00.
    expect(await checkQuotaLevels(ctx.deps, 'PICC', 60_000_000)).toEqual([]);
    expect(remaining).not.toHaveBeenCalled();
    await quota.deduct('PICC', 60_000_000, 'BIG-1', ctx.clock.now()); // 400 000.00 left
    // The estimate says below the warning level: the quota is read, and the level raised once.
    expect(await checkQuotaLevels(ctx.deps, 'PICC', 40_000_000)).toEqual(['warning']);
    expect(remaining).toHaveBeenCalledTimes(1);
    expect(await checkQuotaLevels(ctx.deps, 'PICC', 40_000_000)).toEqual([]);
    expect(remaining).toHaveBeenCalledTimes(1); // disarmed: nothing to read for
    // A stale estimate above the level (a payment that read before the others deducted) does not re-arm it …
    expect(await checkQuotaLevels(ctx.deps, 'PICC', 90_000_000)).toEqual([]);
    const levels = await ctx.deps.db.selectFrom('quota_thresholds').select(['warning_armed']).where('ic_code', '=', 'PICC').execute();
    expect(levels.map((l) => Number(l.warning_armed))).toEqual([0]);
    // … so the next payment below it raises no second warning; the full check (no estimate) agrees.
    expect(await checkQuotaLevels(ctx.deps, 'PICC', 39_000_000)).toEqual([]);
    expect(await checkQuotaLevels(ctx.deps, 'PICC')).toEqual([]);
    remaining.mockRestore();
  });
});
