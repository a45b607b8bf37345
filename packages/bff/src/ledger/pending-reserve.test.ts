// Holds (`reserve`): the hold's row is written first and its unique key answers a repeat before any amount is held;
// a repeat with the same hold moves nothing again, a different one under the same key is refused, and a hold the
// source cannot cover leaves no row and no held amount behind, so the transaction goes on and commits the rest.
import { expect, it } from 'vitest';
import { inTransaction } from '../db/database.ts';
import { describeEachDatabase } from '../../testing/harness.ts';
import { Accounts, balancesOf, InsufficientFunds, pendingState, reserve, transfer } from './ledger.ts';

describeEachDatabase('holds', (get) => {
  it('a repeat answers duplicate and holds nothing twice; a different hold under the key is refused', async () => {
    const { deps, clock } = get();
    const now = clock.now();
    const from = Accounts.insurerQuota('HOLD-T');
    const hold = { key: 'hold:t', from, to: Accounts.quotaIssued, amountFen: 500, timeoutAt: now + 60_000, memo: 't', now };
    const first = await reserve(deps.db, hold);
    expect(first.status).toBe('created');
    expect(await inTransaction(deps.db, (trx) => reserve(trx, hold))).toEqual({ status: 'duplicate', pendingId: first.pendingId });
    expect((await balancesOf(deps.db, from)).debitsPendingFen).toBe(500);
    await expect(reserve(deps.db, { ...hold, amountFen: 501 })).rejects.toThrow(/reused for a different hold/);
    expect((await balancesOf(deps.db, from)).debitsPendingFen).toBe(500);
    expect(await pendingState(deps.db, 'hold:t')).toEqual({ status: 'pending', amountFen: 500 });
  });

  it('a hold the source cannot cover leaves nothing behind; the transaction goes on and commits the rest', async () => {
    const { deps, clock } = get();
    const now = clock.now();
    const wallet = Accounts.userWallet('hold-t');
    await transfer(deps.db, { key: 'hold:fund', from: Accounts.world, to: wallet, amountFen: 300, memo: 't', now });
    await inTransaction(deps.db, async (trx) => {
      const hold = { from: wallet, to: Accounts.refundPending, timeoutAt: now + 60_000, memo: 't', now };
      await expect(reserve(trx, { ...hold, key: 'hold:too-much', amountFen: 301 })).rejects.toBeInstanceOf(InsufficientFunds);
      expect((await reserve(trx, { ...hold, key: 'hold:fits', amountFen: 300 })).status).toBe('created');
    });
    expect(await pendingState(deps.db, 'hold:too-much')).toBeUndefined();
    expect(await pendingState(deps.db, 'hold:fits')).toEqual({ status: 'pending', amountFen: 300 });
    expect(await balancesOf(deps.db, wallet)).toMatchObject({ balanceFen: 300, debitsPendingFen: 300, availableFen: 0 });
    expect((await balancesOf(deps.db, Accounts.refundPending)).creditsPendingFen).toBe(300);
  });
});
