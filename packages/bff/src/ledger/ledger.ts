// The double-entry ledger: accounts, balanced transfers with idempotency keys, and the balance rules.
// Nothing but this module writes balances. Every transfer moves money between exactly two accounts of one book,
// so each book sums to zero after every commit.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { isUniqueViolation } from '../db/database.ts';
import type { LedgerAccountTable } from '../db/tables.ts';
import { newId } from '../lib/ids.ts';

export type Book = LedgerAccountTable['book'];

/** Account names (Formance-style): `world` is money outside the system, so it may go negative. */
export const Accounts = {
  world: 'world',
  clearing: 'clearing',
  quotaIssued: 'quota_issued',
  userWallet: (userId: string) => `user_wallet:${userId}`,
  merchant: (partnerId: string) => `merchant:${partnerId}`,
  insurerQuota: (icCode: string) => `insurer_quota:${icCode}`,
} as const;

interface AccountSpec {
  book: Book;
  kind: string;
  allowNegative: boolean;
}

/** The rules of each account, from its name. Unknown names are refused. */
export function accountSpec(id: string): AccountSpec {
  const [kind] = id.split(':');
  switch (kind) {
    case 'world':
      return { book: 'cash', kind: 'world', allowNegative: true };
    case 'clearing':
      return { book: 'cash', kind: 'clearing', allowNegative: false };
    case 'user_wallet':
      return { book: 'cash', kind: 'user_wallet', allowNegative: false };
    case 'merchant':
      return { book: 'cash', kind: 'merchant', allowNegative: false };
    case 'quota_issued':
      return { book: 'quota', kind: 'quota_issued', allowNegative: true };
    case 'insurer_quota':
      // May go negative: a short quota raises INSURER_QUOTA_SHORT but never blocks a paid order.
      return { book: 'quota', kind: 'insurer_quota', allowNegative: true };
    default:
      throw new Error(`unknown ledger account ${id}`);
  }
}

export class InsufficientFunds extends Error {
  constructor(readonly account: string, readonly amountFen: number) {
    super(`insufficient funds on ${account} for ${amountFen}`);
    this.name = 'InsufficientFunds';
  }
}

/** Creates the account when missing (idempotent). */
export async function ensureAccount(db: Db, id: string, now: number): Promise<void> {
  const spec = accountSpec(id);
  const existing = await db.selectFrom('ledger_accounts').select('id').where('id', '=', id).executeTakeFirst();
  if (existing) return;
  try {
    await db
      .insertInto('ledger_accounts')
      .values({ id, book: spec.book, kind: spec.kind, allow_negative: spec.allowNegative ? 1 : 0, balance_fen: 0, created_at: now, updated_at: now })
      .execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export interface TransferInput {
  /** Unique per intended movement, e.g. `order:ZF…:selfpay`. A repeat with the same key is a no-op. */
  key: string;
  from: string;
  to: string;
  amountFen: number;
  orderNo?: string | null;
  memo: string;
  now: number;
}

export type TransferResult = { status: 'created' | 'duplicate'; transferId: string };

/**
 * Moves `amountFen` from one account to another of the same book, inside the caller's transaction.
 * Throws {@link InsufficientFunds} when the source may not go negative and cannot cover it: the caller's
 * transaction must then roll back (nothing of the transfer stays).
 */
export async function transfer(trx: Db, input: TransferInput): Promise<TransferResult> {
  const { key, from, to, amountFen, now } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`transfer amount must be a positive integer of fen: ${amountFen}`);
  if (from === to) throw new RangeError('transfer to the same account');
  const fromSpec = accountSpec(from);
  const toSpec = accountSpec(to);
  if (fromSpec.book !== toSpec.book) throw new RangeError(`transfer across books: ${from} → ${to}`);

  const prior = await trx.selectFrom('ledger_transfers').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (prior) {
    if (prior.from_account !== from || prior.to_account !== to || Number(prior.amount_fen) !== amountFen) {
      throw new Error(`idempotency key ${key} reused for a different transfer`);
    }
    return { status: 'duplicate', transferId: prior.id };
  }
  const id = newId('TR', now);
  await trx
    .insertInto('ledger_transfers')
    .values({ id, idempotency_key: key, book: fromSpec.book, from_account: from, to_account: to, amount_fen: amountFen, order_no: input.orderNo ?? null, memo: input.memo, created_at: now })
    .execute();

  const debit = () =>
    trx
      .updateTable('ledger_accounts')
      .set({ balance_fen: sql<number>`balance_fen - ${amountFen}`, updated_at: now })
      .where('id', '=', from)
      .where((eb) => eb.or([eb('allow_negative', '=', 1), eb('balance_fen', '>=', amountFen)]))
      .executeTakeFirst();
  const credit = () =>
    trx.updateTable('ledger_accounts').set({ balance_fen: sql<number>`balance_fen + ${amountFen}`, updated_at: now }).where('id', '=', to).executeTakeFirst();

  // Accounts are created on first use; the common case (both exist) costs one statement each.
  if (Number((await debit()).numUpdatedRows) !== 1) {
    const exists = await trx.selectFrom('ledger_accounts').select('id').where('id', '=', from).executeTakeFirst();
    if (exists) throw new InsufficientFunds(from, amountFen);
    await ensureAccount(trx, from, now);
    if (Number((await debit()).numUpdatedRows) !== 1) throw new InsufficientFunds(from, amountFen);
  }
  if (Number((await credit()).numUpdatedRows) !== 1) {
    await ensureAccount(trx, to, now);
    await credit();
  }

  await trx
    .insertInto('ledger_entries')
    .values([
      { transfer_id: id, account_id: from, amount_fen: -amountFen, created_at: now },
      { transfer_id: id, account_id: to, amount_fen: amountFen, created_at: now },
    ])
    .execute();
  return { status: 'created', transferId: id };
}

/** The balance of an account in fen (0 when it does not exist yet). */
export async function balanceOf(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('ledger_accounts').select('balance_fen').where('id', '=', id).executeTakeFirst();
  return row ? Number(row.balance_fen) : 0;
}

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
