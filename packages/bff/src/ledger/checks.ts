// The ledger's invariants, checked: every book sums to zero, balances equal their entries, pending amounts equal
// the live holds, no illegal negatives (counting what holds keep).
import type { Db } from '../db/database.ts';
import type { Book } from './accounts.ts';

export interface LedgerCheck {
  /** Sum of all balances per book: must be 0. */
  bookTotals: Record<Book, number>;
  /** Accounts whose stored balance differs from the sum of their entries: must be empty. */
  drifted: string[];
  /** Accounts whose debits/credits pending differ from their live (status pending) holds: must be empty. */
  pendingDrifted: string[];
  /** Accounts below zero (balance − debits pending) that may not be: must be empty. */
  negative: string[];
}

/** True when the check found nothing wrong. */
export function ledgerIsClean(c: LedgerCheck): boolean {
  return (
    Object.values(c.bookTotals).every((t) => t === 0) && c.drifted.length === 0 && c.pendingDrifted.length === 0 && c.negative.length === 0
  );
}

/** Verifies the ledger's invariants; tests call it after every case, admins from the console. */
export async function checkLedger(db: Db): Promise<LedgerCheck> {
  const accounts = await db.selectFrom('ledger_accounts').selectAll().execute();
  const sums = await db
    .selectFrom('ledger_entries')
    .select(['account_id', (eb) => eb.fn.sum<number>('amount_fen').as('total')])
    .groupBy('account_id')
    .execute();
  const live = await db
    .selectFrom('ledger_pending')
    .select(['from_account', 'to_account', 'amount_fen'])
    .where('status', '=', 'pending')
    .execute();
  const entrySum = new Map(sums.map((s) => [s.account_id, Number(s.total)]));
  const debits = new Map<string, number>();
  const credits = new Map<string, number>();
  for (const p of live) {
    debits.set(p.from_account, (debits.get(p.from_account) ?? 0) + Number(p.amount_fen));
    credits.set(p.to_account, (credits.get(p.to_account) ?? 0) + Number(p.amount_fen));
  }
  const bookTotals: Record<Book, number> = { cash: 0, quota: 0, coverage: 0 };
  const drifted: string[] = [];
  const pendingDrifted: string[] = [];
  const negative: string[] = [];
  for (const a of accounts) {
    const balance = Number(a.balance_fen);
    const held = Number(a.debits_pending_fen);
    bookTotals[a.book] += balance;
    if ((entrySum.get(a.id) ?? 0) !== balance) drifted.push(a.id);
    if ((debits.get(a.id) ?? 0) !== held || (credits.get(a.id) ?? 0) !== Number(a.credits_pending_fen)) pendingDrifted.push(a.id);
    if (balance - held < 0 && !a.allow_negative) negative.push(a.id);
  }
  return { bookTotals, drifted, pendingDrifted, negative };
}
