// Balances of an account as the transaction sees them (what it deferred to its commit is applied first).
import { compiled } from '../db/compiled-query.ts';
import type { Db } from '../db/database.ts';
import { flushAccount } from './deferred.ts';

const accountBalances = compiled((db, p: { id: string }) =>
  db.selectFrom('ledger_accounts').select(['balance_fen', 'debits_pending_fen', 'credits_pending_fen']).where('id', '=', p.id),
);

/** The balance of an account in fen (0 when it does not exist yet). */
export async function balanceOf(db: Db, id: string): Promise<number> {
  await flushAccount(db, id);
  const row = await accountBalances.first(db, { id });
  return row ? Number(row.balance_fen) : 0;
}

/** Posted balance, the amounts held by pending transfers, and what is available (balance − pending debits). */
export interface AccountBalances {
  balanceFen: number;
  debitsPendingFen: number;
  creditsPendingFen: number;
  availableFen: number;
}

/** The balances of an account (all 0 when it does not exist yet). */
export async function balancesOf(db: Db, id: string): Promise<AccountBalances> {
  await flushAccount(db, id);
  const row = await accountBalances.first(db, { id });
  const balanceFen = Number(row?.balance_fen ?? 0);
  const debitsPendingFen = Number(row?.debits_pending_fen ?? 0);
  return {
    balanceFen,
    debitsPendingFen,
    creditsPendingFen: Number(row?.credits_pending_fen ?? 0),
    availableFen: balanceFen - debitsPendingFen,
  };
}
