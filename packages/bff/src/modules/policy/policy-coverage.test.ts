// The coverage book: an order holds its insurer share on the policy's coverage (listed "coverage left" drops), a
// close gives it back, a payment uses it; policies.coverage_left_fen is never written.
import { expect, it } from 'vitest';
import { Accounts, balancesOf, pendingState } from '../../ledger/ledger.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { closeExpiredOrders } from '../order/order.service.ts';
import { coverageHoldKey } from './policy-coverage.ts';

async function listedCoverage(ctx: TestContext, token: string, policyNo: string): Promise<number> {
  const res = await ctx.call('GET', '/api/policies', token);
  return res.body.policies.find((p: { policy_no: string }) => p.policy_no === policyNo).coverage_left_fen as number;
}

describeEachDatabase('policy coverage in the ledger', (get) => {
  it('lists coverage left net of open orders, restores it when an order closes and keeps it used when paid', async () => {
    const ctx = get();
    const open = await ctx.newOrder({ refer_no: 'REF-C1' });
    expect(await listedCoverage(ctx, open.token, 'POL-PICC-001')).toBe(1_000_000 - 8000);
    expect(await pendingState(ctx.deps.db, coverageHoldKey(open.orderNo))).toEqual({ status: 'pending', amountFen: 8000 });
    ctx.clock.advance(31 * 60_000);
    await closeExpiredOrders(ctx.deps);
    const again = await ctx.newOrder({ refer_no: 'REF-C2' });
    expect(await listedCoverage(ctx, again.token, 'POL-PICC-001')).toBe(1_000_000 - 8000); // only the new order's hold
    await ctx.call('POST', `/api/orders/${again.orderNo}/pay/balance`, again.token, { pin: '123456' });
    expect(await pendingState(ctx.deps.db, coverageHoldKey(again.orderNo))).toEqual({ status: 'posted', amountFen: 8000 });
    expect(await balancesOf(ctx.deps.db, Accounts.policyCoverage('POL-PICC-001'))).toEqual({
      balanceFen: 1_000_000 - 8000,
      debitsPendingFen: 0,
      creditsPendingFen: 0,
      availableFen: 1_000_000 - 8000,
    });
    const row = await ctx.deps.db
      .selectFrom('policies')
      .select('coverage_left_fen')
      .where('policy_no', '=', 'POL-PICC-001')
      .executeTakeFirstOrThrow();
    expect(Number(row.coverage_left_fen)).toBe(1_000_000); // as issued: the ledger holds what is left
  });

  it('refuses an order whose share the coverage left cannot hold (ZF0050) and changes nothing', async () => {
    const ctx = get();
    // POL-PAIC-001: 500.00 coverage; a first order of 600.00 takes all of it (share 500.00).
    const first = await ctx.newOrder({ amout: '600', refer_no: 'REF-P1' }, 'POL-PAIC-001');
    expect(first.order.insurer_fen).toBe(50_000);
    const { token } = await ctx.enter({ amout: '600', refer_no: 'REF-P2' });
    // Nothing left: the policy is no longer listed as valid for a new bill.
    const listed = await ctx.call('GET', '/api/policies', token);
    expect(listed.body.policies.map((p: { policy_no: string }) => p.policy_no)).toEqual(['POL-PICC-001']);
    const before = await snapshot(ctx);
    const refused = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PAIC-001' });
    expect(refused.body.code).toBe('ZF0050');
    expect(await snapshot(ctx)).toBe(before);
    expect((await balancesOf(ctx.deps.db, Accounts.policyCoverage('POL-PAIC-001'))).availableFen).toBe(0);
  });
});
