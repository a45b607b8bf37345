// Crash safety: a paid order whose settlement stopped at any step is finished by the recovery job, exactly once.
import { expect, it } from 'vitest';
import { inTransaction } from '../../db/database.ts';
import { Accounts, balanceOf, transfer } from '../../ledger/ledger.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { deliverDueCallbacks } from '../callback/callback.worker.ts';
import { applySuccess, createAttempt } from '../payment/payment.service.ts';
import { findOrder } from '../order/order.repository.ts';
import { resumeSettlements, settleOrder } from './settlement.service.ts';

/** An order whose payment committed, after which the process died before settlement began. */
async function paidButUnsettled(ctx: TestContext): Promise<string> {
  const { token } = await ctx.enter();
  const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
  const orderNo: string = created.body.order.order_no;
  await inTransaction(ctx.deps.db, async (trx) => {
    const order = (await findOrder(trx, orderNo))!;
    const attempt = await createAttempt(trx, order, 'balance', ctx.clock.now(), { status: 'submitted' });
    expect(await applySuccess(ctx.deps, trx, attempt.id, null, ctx.clock.now())).toBe('paid');
  });
  return orderNo;
}

describeEachDatabase('settlement recovery', (get) => {
  for (const stopAt of ['pending', 'quota_checked', 'deducted'] as const) {
    it(`resumes a settlement that crashed at "${stopAt}" and settles exactly once`, async () => {
      const ctx = get();
      const orderNo = await paidButUnsettled(ctx);
      const now = ctx.clock.now();
      // Replay what had committed before the crash: the steps before `stopAt`, with their effects.
      if (stopAt === 'deducted') {
        await ctx.deps.quota.deduct('PICC', 8000, orderNo, now);
        await ctx.deps.db.transaction().execute((trx) =>
          transfer(trx, {
            key: `order:${orderNo}:quota`,
            from: Accounts.insurerQuota('PICC'),
            to: Accounts.quotaIssued,
            amountFen: 8000,
            orderNo,
            memo: 'insurer quota deduction',
            now,
          }),
        );
      }
      await ctx.deps.db.updateTable('orders').set({ settlement_step: stopAt }).where('order_no', '=', orderNo).execute();

      expect(await resumeSettlements(ctx.deps)).toBe(1);
      expect(await resumeSettlements(ctx.deps)).toBe(0);
      const order = (await findOrder(ctx.deps.db, orderNo))!;
      expect(order.status).toBe('settled');
      expect(order.settlement_step).toBe('notified');
      expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 8000);
      expect(await balanceOf(ctx.deps.db, Accounts.insurerQuota('PICC'))).toBe(100_000_000 - 8000);
      expect(await balanceOf(ctx.deps.db, Accounts.clearing)).toBe(5_000_000 - 8000);
      expect(await balanceOf(ctx.deps.db, Accounts.merchant('demo'))).toBe(10_000);
      await deliverDueCallbacks(ctx.deps);
      await deliverDueCallbacks(ctx.deps);
      expect(ctx.partner.events()).toEqual(['order_created', 'paid']);
    });
  }

  it('runs settlement steps once even when two workers race on the same order', async () => {
    const ctx = get();
    const orderNo = await paidButUnsettled(ctx);
    await Promise.all([settleOrder(ctx.deps, orderNo), settleOrder(ctx.deps, orderNo), resumeSettlements(ctx.deps)]);
    const records = await ctx.deps.db.selectFrom('ledger_transfers').select('idempotency_key').where('order_no', '=', orderNo).execute();
    expect(records.map((r) => r.idempotency_key).sort()).toEqual([
      `order:${orderNo}:coverage`,
      `order:${orderNo}:insurer`,
      `order:${orderNo}:quota`,
      `order:${orderNo}:selfpay`,
    ]);
    const paidEvents = await ctx.deps.db.selectFrom('callback_events').select('event').where('event', '=', 'paid').execute();
    expect(paidEvents).toHaveLength(1);
    expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 8000);
  });
});
