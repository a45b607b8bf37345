// The expire-holds job (`expirePending`): a hold past its timeout is released once, and its two releases wait for the
// commit like a payment's deferred legs (ledger/deferred.ts): ONE update of ledger_accounts, in id order, so the hot
// `quota_issued` / `coverage_issued` rows are locked for the last statement only.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../testing/harness.ts';
import { Accounts, balancesOf, expirePending, pendingState, reserve } from './ledger.ts';

/** Counts the UPDATEs of ledger_accounts that go through it. */
function accountUpdates(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery({ node }: PluginTransformQueryArgs) {
      if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.table).includes('"ledger_accounts"')) counter.count++;
      return node;
    },
    transformResult: async ({ result }: PluginTransformResultArgs) => result,
  };
  return counter;
}

describeEachDatabase('expire-holds', (get) => {
  it('releases an expired hold once, both accounts in one deferred update; a second run finds nothing', async () => {
    const { deps, clock } = get();
    const from = Accounts.insurerQuota('EXPIRE-T');
    const now = clock.now();
    const before = { from: await balancesOf(deps.db, from), to: await balancesOf(deps.db, Accounts.quotaIssued) };
    await reserve(deps.db, { key: 'expire:t', from, to: Accounts.quotaIssued, amountFen: 1_234, timeoutAt: now + 1_000, memo: 't', now });
    expect((await balancesOf(deps.db, from)).debitsPendingFen).toBe(before.from.debitsPendingFen + 1_234);
    expect((await balancesOf(deps.db, Accounts.quotaIssued)).creditsPendingFen).toBe(before.to.creditsPendingFen + 1_234);

    expect(await expirePending(deps.db, now + 500)).toBe(0); // not yet due
    const counter = accountUpdates();
    expect(await expirePending(deps.db.withPlugin(counter), now + 2_000)).toBe(1);
    expect(counter.count).toBe(1);
    expect(await pendingState(deps.db, 'expire:t')).toEqual({ status: 'expired', amountFen: 1_234 });
    expect(await balancesOf(deps.db, from)).toMatchObject({
      balanceFen: before.from.balanceFen,
      debitsPendingFen: before.from.debitsPendingFen,
    });
    expect(await balancesOf(deps.db, Accounts.quotaIssued)).toMatchObject({
      balanceFen: before.to.balanceFen,
      creditsPendingFen: before.to.creditsPendingFen,
    });
    expect(await expirePending(deps.db, now + 3_000)).toBe(0);
  });
});
