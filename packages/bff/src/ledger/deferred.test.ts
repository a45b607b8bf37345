// The balance updates a transaction defers to its commit (ledger/deferred.ts): applied exactly once, in one
// statement, before the commit; rolled back with everything else; seen by a floor debit of the same account; and
// concurrent transactions taking hot accounts in opposite orders neither deadlock nor lose an update.
import { expect, it } from 'vitest';
import { inTransaction, type Db } from '../db/database.ts';
import { describeEachDatabase } from '../../testing/harness.ts';
import { Accounts, balanceOf, InsufficientFunds, transfer } from './ledger.ts';
import { deferredCount } from './deferred.ts';

const rowBalance = async (db: Db, id: string) =>
  (await db.selectFrom('ledger_accounts').select('balance_fen').where('id', '=', id).executeTakeFirst())?.balance_fen;
const entriesSum = async (db: Db, id: string) =>
  (await db.selectFrom('ledger_entries').select('amount_fen').where('account_id', '=', id).execute()).reduce(
    (a, r) => a + Number(r.amount_fen),
    0,
  );

describeEachDatabase('deferred ledger legs', (get) => {
  it('credits and allowed-negative debits wait for the commit; floor debits happen where they stand; both legs add up', async () => {
    const { deps, clock } = get();
    const merchant = Accounts.merchant('defer-test');
    const clearingBefore = await balanceOf(deps.db, Accounts.clearing);
    const now = clock.now();
    await inTransaction(deps.db, async (trx) => {
      await transfer(trx, { key: 'defer:a', from: Accounts.world, to: merchant, amountFen: 500, memo: 't', now });
      await transfer(trx, { key: 'defer:b', from: Accounts.clearing, to: merchant, amountFen: 300, memo: 't', now });
      // Not applied yet: the merchant row does not exist, world is unchanged; clearing (a floor) is debited already.
      expect(await rowBalance(trx, merchant)).toBeUndefined();
      expect(Number(await rowBalance(trx, Accounts.clearing))).toBe(clearingBefore - 300);
      expect(deferredCount(trx)).toBe(2);
    });
    expect(await balanceOf(deps.db, merchant)).toBe(800);
    expect(await entriesSum(deps.db, merchant)).toBe(800);
    expect(await balanceOf(deps.db, Accounts.clearing)).toBe(clearingBefore - 300);
    expect(await balanceOf(deps.db, Accounts.world)).toBe(await entriesSum(deps.db, Accounts.world));
  });

  it('an error after the deferral rolls back the transfers, their entries and every balance', async () => {
    const { deps, clock } = get();
    const merchant = Accounts.merchant('defer-test');
    const world = await balanceOf(deps.db, Accounts.world);
    const clearing = await balanceOf(deps.db, Accounts.clearing);
    await expect(
      inTransaction(deps.db, async (trx) => {
        await transfer(trx, { key: 'defer:c', from: Accounts.world, to: merchant, amountFen: 700, memo: 't', now: clock.now() });
        await transfer(trx, { key: 'defer:d', from: Accounts.clearing, to: merchant, amountFen: 200, memo: 't', now: clock.now() });
        throw new Error('boom before the commit');
      }),
    ).rejects.toThrow('boom');
    expect(await balanceOf(deps.db, merchant)).toBe(0);
    expect(await balanceOf(deps.db, Accounts.world)).toBe(world);
    expect(await balanceOf(deps.db, Accounts.clearing)).toBe(clearing);
    expect(
      await deps.db.selectFrom('ledger_transfers').select('id').where('idempotency_key', 'in', ['defer:c', 'defer:d']).execute(),
    ).toEqual([]);
  });

  it('a floor debit sees the credit the same transaction deferred; a refused debit leaves nothing and the transaction goes on', async () => {
    const { deps, clock } = get();
    const merchant = Accounts.merchant('defer-test');
    const now = clock.now();
    await inTransaction(deps.db, async (trx) => {
      await transfer(trx, { key: 'defer:e', from: Accounts.world, to: merchant, amountFen: 100, memo: 't', now });
      // merchant:* may not go negative: this debit must see the deferred +100.
      await transfer(trx, { key: 'defer:f', from: merchant, to: Accounts.refundPending, amountFen: 100, memo: 't', now });
      await expect(
        transfer(trx, { key: 'defer:g', from: Accounts.userWallet('nobody'), to: merchant, amountFen: 1, memo: 't', now }),
      ).rejects.toBeInstanceOf(InsufficientFunds);
      await transfer(trx, { key: 'defer:h', from: Accounts.world, to: merchant, amountFen: 50, memo: 't', now });
      // A repeat in the same transaction moves nothing again.
      expect((await transfer(trx, { key: 'defer:h', from: Accounts.world, to: merchant, amountFen: 50, memo: 't', now })).status).toBe(
        'duplicate',
      );
    });
    expect(await balanceOf(deps.db, merchant)).toBe(50);
    expect(await entriesSum(deps.db, merchant)).toBe(50);
    expect(await deps.db.selectFrom('ledger_transfers').select('id').where('idempotency_key', '=', 'defer:g').execute()).toEqual([]);
    await transfer(deps.db, { key: 'defer:i', from: merchant, to: Accounts.refundPending, amountFen: 50, memo: 't', now });
    await transfer(deps.db, { key: 'defer:j', from: Accounts.refundPending, to: Accounts.world, amountFen: 150, memo: 't', now });
  });

  it('transactions taking two hot accounts in opposite orders all commit at the first try (no deadlock, no lost update)', async () => {
    const { deps, clock } = get();
    const [a, b] = [Accounts.merchant('hot-a'), Accounts.merchant('hot-b')];
    const now = clock.now();
    await transfer(deps.db, { key: 'hot:seed-a', from: Accounts.world, to: a, amountFen: 1, memo: 't', now });
    await transfer(deps.db, { key: 'hot:seed-b', from: Accounts.world, to: b, amountFen: 1, memo: 't', now });
    const n = 12;
    // Each transaction pays from its own wallet (a floor debit, made where it stands), so only a and b are shared.
    for (let i = 0; i < n; i++)
      await transfer(deps.db, {
        key: `hot:fund:${i}`,
        from: Accounts.world,
        to: Accounts.userWallet(`hot-${i}`),
        amountFen: 20,
        memo: 't',
        now,
      });
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        inTransaction(
          deps.db,
          async (trx) => {
            const [first, second] = i % 2 ? [a, b] : [b, a];
            await transfer(trx, { key: `hot:${i}:1`, from: Accounts.userWallet(`hot-${i}`), to: first, amountFen: 10, memo: 't', now });
            // Every transaction is in the middle of its work at once: immediate row updates would now hold `first`.
            await new Promise((r) => setTimeout(r, 30));
            await transfer(trx, { key: `hot:${i}:2`, from: Accounts.userWallet(`hot-${i}`), to: second, amountFen: 10, memo: 't', now });
          },
          1,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await balanceOf(deps.db, a)).toBe(1 + 10 * n);
    expect(await balanceOf(deps.db, b)).toBe(1 + 10 * n);
  });
});
