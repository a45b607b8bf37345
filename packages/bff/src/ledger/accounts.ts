// Ledger accounts: the chart (which account is in which book and may go negative), creation on first use, balances.
import type { Db } from '../db/database.ts';
import { insertOnce } from '../db/insert-once.ts';
import type { LedgerAccountTable } from './ledger.table.ts';

export type Book = LedgerAccountTable['book'];

/** Account names (Formance-style): `world` is money outside the system, so it may go negative. */
export const Accounts = {
  world: 'world',
  clearing: 'clearing',
  quotaIssued: 'quota_issued',
  /** Refund money on its way out: taken from the merchant (or arrived from a provider) until the refund ends. */
  refundPending: 'refund_pending',
  userWallet: (userId: string) => `user_wallet:${userId}`,
  merchant: (partnerId: string) => `merchant:${partnerId}`,
  insurerQuota: (icCode: string) => `insurer_quota:${icCode}`,
  coverageIssued: 'coverage_issued',
  policyCoverage: (policyNo: string) => `policy_coverage:${policyNo}`,
} as const;

export interface AccountSpec {
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
    case 'refund_pending':
      return { book: 'cash', kind: 'refund_pending', allowNegative: false };
    case 'merchant':
      return { book: 'cash', kind: 'merchant', allowNegative: false };
    case 'quota_issued':
      return { book: 'quota', kind: 'quota_issued', allowNegative: true };
    case 'insurer_quota':
      // May go negative: a short quota raises INSURER_QUOTA_SHORT but never blocks a paid order.
      return { book: 'quota', kind: 'insurer_quota', allowNegative: true };
    case 'coverage_issued':
      return { book: 'coverage', kind: 'coverage_issued', allowNegative: true };
    case 'policy_coverage':
      // A policy's coverage left: never below zero, so a hold for an order's insurer share can be refused.
      return { book: 'coverage', kind: 'policy_coverage', allowNegative: false };
    default:
      throw new Error(`unknown ledger account ${id}`);
  }
}

export class InsufficientFunds extends Error {
  constructor(
    readonly account: string,
    readonly amountFen: number,
  ) {
    super(`insufficient funds on ${account} for ${amountFen}`);
    this.name = 'InsufficientFunds';
  }
}

/** Creates the account when missing (idempotent). */
export async function ensureAccount(db: Db, id: string, now: number): Promise<void> {
  const spec = accountSpec(id);
  const existing = await db.selectFrom('ledger_accounts').select('id').where('id', '=', id).executeTakeFirst();
  if (existing) return;
  await insertOnce(db, 'ledger_accounts', {
    id,
    book: spec.book,
    kind: spec.kind,
    allow_negative: spec.allowNegative ? 1 : 0,
    balance_fen: 0,
    created_at: now,
    updated_at: now,
  });
}
