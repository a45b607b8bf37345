// Balance updates deferred to the end of the transaction (issue 11): every payment credits the same few accounts
// (merchant:<partner>, quota_issued, coverage_issued) and debits the insurer's quota account, which may go negative.
// Updated where the transfer is made, those rows stay locked across every later statement of the transaction, so on
// MariaDB payments queue behind each other (and deadlock when two take them in different orders). A leg that can
// never be refused — a credit, or a debit of an account allowed to go negative — is therefore only added up here and
// applied just before the commit, all accounts in one UPDATE in id order; a leg with a floor (a wallet or merchant
// debit) is made where it stands, conditionally, after applying what was deferred for that account. The deferral
// lives only inside `inTransaction` (db/before-commit.ts): an error before the commit rolls back the transfer rows
// and entries with it, and without a transaction every leg is applied at once.
import { sql } from 'kysely';
import { beforeCommit } from '../db/before-commit.ts';
import { compiled, compiledVariants } from '../db/compiled-query.ts';
import type { Db } from '../db/database.ts';
import { ensureAccount } from './accounts.ts';

/** Amounts added to an account's columns (fen; negative takes off). */
export interface Leg {
  balance?: number;
  debitsPending?: number;
  creditsPending?: number;
}

interface Pending {
  balance: number;
  debitsPending: number;
  creditsPending: number;
  updatedAt: number;
}

const deferred = new WeakMap<object, Map<string, Pending>>();

/**
 * Applies `leg` to account `id` — at the commit when the transaction defers (see the file head), else now (the
 * account is created on first use either way). Only for legs that can never be refused.
 */
export async function applyLeg(trx: Db, id: string, leg: Leg, now: number): Promise<void> {
  let map = deferred.get(trx);
  if (!map) {
    const fresh = new Map<string, Pending>();
    if (beforeCommit(trx, () => applyDeferred(trx))) deferred.set(trx, (map = fresh));
  }
  if (!map) return updateNow(trx, [[id, { ...zero(now), ...leg, updatedAt: now }]]);
  const p = map.get(id) ?? zero(now);
  p.balance += leg.balance ?? 0;
  p.debitsPending += leg.debitsPending ?? 0;
  p.creditsPending += leg.creditsPending ?? 0;
  p.updatedAt = Math.max(p.updatedAt, now);
  map.set(id, p);
}

/** Applies now what is deferred for account `id` (before a conditional debit or a read of it in the transaction). */
export async function flushAccount(trx: Db, id: string): Promise<void> {
  const map = deferred.get(trx);
  const p = map?.get(id);
  if (!map || !p) return;
  map.delete(id);
  await updateNow(trx, [[id, p]]);
}

/**
 * A conditional update of account `id` that keeps a floor (a debit, a hold): what the transaction deferred for the
 * account is applied first, so the condition sees it; `update` answers whether it matched. Accounts are created on
 * first use: only when the update matched no row is the account looked for, and when it is missing it is created
 * and the update runs once more. False when refused.
 */
export async function updateWithFloor(trx: Db, id: string, now: number, update: () => Promise<boolean>): Promise<boolean> {
  await flushAccount(trx, id);
  if (await update()) return true;
  if (await accountExists.first(trx, { id })) return false;
  await ensureAccount(trx, id, now);
  return update();
}

const accountExists = compiled((db, p: { id: string }) => db.selectFrom('ledger_accounts').select('id').where('id', '=', p.id));

/** How many accounts wait for the commit in this transaction (tests). */
export function deferredCount(trx: Db): number {
  return deferred.get(trx)?.size ?? 0;
}

/** Before the commit: every deferred account in one UPDATE, in id order (the order every payment locks them in). */
async function applyDeferred(trx: Db): Promise<void> {
  const map = deferred.get(trx);
  deferred.delete(trx);
  if (!map?.size) return;
  await updateNow(
    trx,
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

async function updateNow(trx: Db, rows: Array<[string, Pending]>): Promise<void> {
  const missing = rows.length - (await updateRows(trx, rows));
  if (missing === 0) return;
  // First use of some account: create what is missing, then apply to those (an update that matched a row is done).
  const ids = rows.map(([id]) => id);
  const have = new Set(
    (await trx.selectFrom('ledger_accounts').select(['id', 'updated_at']).where('id', 'in', ids).execute()).map((r) => r.id),
  );
  const absent = rows.filter(([id]) => !have.has(id));
  for (const [id, p] of absent) await ensureAccount(trx, id, p.updatedAt);
  if ((await updateRows(trx, absent)) !== absent.length) throw new Error(`ledger accounts not updated: ${absent.map(([id]) => id)}`);
}

/** One UPDATE for all `rows` (a CASE per changed column); returns how many accounts it matched. */
async function updateRows(trx: Db, rows: Array<[string, Pending]>): Promise<number> {
  if (!rows.length) return 0;
  // Compiled once per shape: the number of accounts and which of the three columns change (db/compiled-query.ts).
  let mask = 0;
  const params: Record<string, string | number> = { updatedAt: 0 };
  rows.forEach(([id, p], i) => {
    params[`id${i}`] = id;
    COLUMNS.forEach(([, pick], c) => {
      const v = pick(p);
      params[`${c}_${i}`] = v;
      if (v !== 0) mask |= 1 << c;
    });
    params.updatedAt = Math.max(params.updatedAt as number, p.updatedAt);
  });
  return updateAccounts(`${rows.length}:${mask}`).affected(trx, params);
}

const COLUMNS: Array<['balance_fen' | 'debits_pending_fen' | 'credits_pending_fen', (p: Pending) => number]> = [
  ['balance_fen', (p) => p.balance],
  ['debits_pending_fen', (p) => p.debitsPending],
  ['credits_pending_fen', (p) => p.creditsPending],
];

/** The statement of `updateRows` for `n:mask`: n accounts (`id0…`), the columns in `mask` (values `<column>_<i>`). */
const updateAccounts = compiledVariants((db, p: Record<string, string | number>, shape: string) => {
  const [n, mask] = shape.split(':').map(Number) as [number, number];
  const ids = Array.from({ length: n }, (_, i) => p[`id${i}`]!);
  const set: Record<string, unknown> = {};
  COLUMNS.forEach(([name], c) => {
    if (!(mask & (1 << c))) return;
    if (n === 1) set[name] = sql<number>`${sql.ref(name)} + ${p[`${c}_0`]}`;
    else {
      const whens = ids.map((id, i) => sql`when ${id} then ${p[`${c}_${i}`]}`);
      set[name] = sql<number>`${sql.ref(name)} + case ${sql.ref('id')} ${sql.join(whens, sql` `)} else 0 end`;
    }
  });
  return db
    .updateTable('ledger_accounts')
    .set({ ...set, updated_at: p.updatedAt as number })
    .where('id', 'in', ids as string[]);
});

function zero(now: number): Pending {
  return { balance: 0, debitsPending: 0, creditsPending: 0, updatedAt: now };
}
