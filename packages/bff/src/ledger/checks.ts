// The ledger's invariants, checked: both books sum to zero, balances equal their entries, no illegal negatives.
import type { Db } from '../db/database.ts';
import type { Book } from './accounts.ts';

export interface LedgerCheck {
  /** Sum of all balances per book: must be 0. */
  bookTotals: Record<Book, number>;
  /** Accounts whose stored balance differs from the sum of their entries: must be empty. */
  drifted: string[];
  /** Accounts below zero that may not be: must be empty. */
  negative: string[];
}

/** Verifies the ledger's invariants; tests call it after every case, admins from the console. */
export async function checkLedger(db: Db): Promise<LedgerCheck> {
  const accounts = await db.selectFrom('ledger_accounts').selectAll().execute();
  const sums = await db
    .selectFrom('ledger_entries')
    .select(['account_id', (eb) => eb.fn.sum<number>('amount_fen').as('total')])
    .groupBy('account_id')
    .execute();
  const entrySum = new Map(sums.map((s) => [s.account_id, Number(s.total)]));
  const bookTotals: Record<Book, number> = { cash: 0, quota: 0 };
  const drifted: string[] = [];
  const negative: string[] = [];
  for (const a of accounts) {
    const balance = Number(a.balance_fen);
    bookTotals[a.book] += balance;
    if ((entrySum.get(a.id) ?? 0) !== balance) drifted.push(a.id);
    if (balance < 0 && !a.allow_negative) negative.push(a.id);
  }
  return { bookTotals, drifted, negative };
}
