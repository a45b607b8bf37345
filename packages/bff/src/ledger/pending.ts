// Two-phase transfers (TigerBeetle's pending → posted | voided): a pending transfer holds an amount on both accounts
// (debits_pending / credits_pending) until a timeout; it is posted (in full or in part) or voided exactly once, by a
// conditional update of its status. Posting moves the money with an ordinary balanced transfer.
import { sql, type Kysely } from 'kysely';
import { compiled, compiledInsert } from '../db/compiled-query.ts';
import { inTransaction, type Db } from '../db/database.ts';
import type { Database } from '../db/tables.ts';
import { insertOnce } from '../db/insert-once.ts';
import { newId } from '../lib/ids.ts';
import { accountSpec, InsufficientFunds } from './accounts.ts';
import { applyLeg, updateWithFloor } from './deferred.ts';
import type { LedgerPendingTable } from './ledger.table.ts';
import { transfer } from './transfers.ts';

export interface PendingInput {
  /** Unique per hold, e.g. `order:ZF…:quota-hold`. A repeat with the same key is a no-op. */
  key: string;
  from: string;
  to: string;
  amountFen: number;
  /** After this instant the hold is void (the expiry job marks it `expired` and releases it). */
  timeoutAt: number;
  orderNo?: string | null;
  memo: string;
  now: number;
}

export type PendingResult = { status: 'created' | 'duplicate'; pendingId: string };

type Pending = {
  id: string;
  from_account: string;
  to_account: string;
  amount_fen: number;
  order_no: string | null;
  status: LedgerPendingTable['status'];
};

// The statements every hold runs, compiled once per dialect (db/compiled-query.ts).
const pendingByKey = compiled((db, p: { key: string }) =>
  db
    .selectFrom('ledger_pending')
    .select(['id', 'from_account', 'to_account', 'amount_fen', 'order_no', 'status'])
    .where('idempotency_key', '=', p.key),
);
const insertPending = compiledInsert('ledger_pending', {
  id: true,
  idempotency_key: true,
  book: true,
  from_account: true,
  to_account: true,
  amount_fen: true,
  posted_fen: true,
  status: true,
  timeout_at: true,
  order_no: true,
  memo: true,
  created_at: true,
  resolved_at: true,
});
const floorHold = compiled((db, p: { id: string; amount: number; now: number }) =>
  db
    .updateTable('ledger_accounts')
    .set({ debits_pending_fen: sql<number>`debits_pending_fen + ${p.amount}`, updated_at: p.now })
    .where('id', '=', p.id)
    .where(sql<number>`balance_fen - debits_pending_fen`, '>=', p.amount),
);
const resolvePending = compiled((db, p: { id: string; status: 'posted' | 'voided' | 'expired'; postedFen: number | null; now: number }) =>
  db
    .updateTable('ledger_pending')
    .set({ status: p.status, posted_fen: p.postedFen, resolved_at: p.now })
    .where('id', '=', p.id)
    .where('status', '=', 'pending'),
);

function findPending(db: Db, key: string): Promise<Pending | undefined> {
  return pendingByKey.first(db, { key });
}

/**
 * Holds `amountFen` from `from` for `to`, inside the caller's transaction. Throws {@link InsufficientFunds} when
 * `from` may not go negative and its available amount (balance − what other holds keep) cannot cover it.
 */
export async function reserve(trx: Db, input: PendingInput): Promise<PendingResult> {
  const { key, from, to, amountFen, now } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new RangeError(`hold amount must be a positive integer of fen: ${amountFen}`);
  if (from === to) throw new RangeError('hold on the same account');
  const fromSpec = accountSpec(from);
  if (fromSpec.book !== accountSpec(to).book) throw new RangeError(`hold across books: ${from} → ${to}`);
  const prior = await findPending(trx, key);
  if (prior) {
    if (prior.from_account !== from || prior.to_account !== to || Number(prior.amount_fen) !== amountFen)
      throw new Error(`idempotency key ${key} reused for a different hold`);
    return { status: 'duplicate', pendingId: prior.id };
  }
  // The source's hold is a conditional update made here when the source has a floor; a hold on an account allowed
  // negative and the target's credit cannot be refused, so they wait for the commit (ledger/deferred.ts).
  if (fromSpec.allowNegative) await applyLeg(trx, from, { debitsPending: amountFen }, now);
  else if (!(await holdWithFloor(trx, from, amountFen, now))) throw new InsufficientFunds(from, amountFen);
  await applyLeg(trx, to, { creditsPending: amountFen }, now);
  const id = newId('PT', now);
  const inserted = await insertOnce(trx, insertPending, {
    id,
    idempotency_key: key,
    book: fromSpec.book,
    from_account: from,
    to_account: to,
    amount_fen: amountFen,
    posted_fen: null,
    status: 'pending',
    timeout_at: input.timeoutAt,
    order_no: input.orderNo ?? null,
    memo: input.memo,
    created_at: now,
    resolved_at: null,
  });
  // A concurrent reserve with the same key won the unique index: our increments must not stay.
  if (!inserted) throw new Error(`hold ${key} created concurrently; retry the transaction`);
  return { status: 'created', pendingId: id };
}

/** Holds `amountFen` of an account that may not go negative: false when its available amount cannot cover it. */
function holdWithFloor(trx: Db, from: string, amountFen: number, now: number): Promise<boolean> {
  return updateWithFloor(trx, from, now, async () => (await floorHold.affected(trx, { id: from, amount: amountFen, now })) === 1);
}

/** Releases the held amounts of a pending transfer that this caller just resolved (they cannot be refused). */
async function release(trx: Db, p: Pending, now: number): Promise<void> {
  const amount = Number(p.amount_fen);
  await applyLeg(trx, p.from_account, { debitsPending: -amount }, now);
  await applyLeg(trx, p.to_account, { creditsPending: -amount }, now);
}

async function resolve(
  trx: Db,
  p: Pending,
  status: 'posted' | 'voided' | 'expired',
  postedFen: number | null,
  now: number,
): Promise<boolean> {
  if (!(await markResolved(trx, p, status, postedFen, now))) return false;
  await release(trx, p, now);
  return true;
}

/** `pending → status` by one conditional update: true for the one caller that resolved it. */
async function markResolved(
  trx: Db,
  p: Pending,
  status: 'posted' | 'voided' | 'expired',
  postedFen: number | null,
  now: number,
): Promise<boolean> {
  return (await resolvePending.affected(trx, { id: p.id, status, postedFen, now })) === 1;
}

export type PostOutcome = 'posted' | 'already_resolved' | 'missing';

/**
 * Posts a pending transfer once: `amountFen` (default: all of it, at most all of it) moves by an ordinary transfer
 * keyed `transferKey`; the rest of the hold is released. Anything but a live hold answers without moving money.
 */
export async function postPending(
  trx: Db,
  key: string,
  opts: { transferKey: string; amountFen?: number; memo: string; now: number },
): Promise<PostOutcome> {
  const p = await findPending(trx, key);
  if (!p) return 'missing';
  const amount = opts.amountFen ?? Number(p.amount_fen);
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > Number(p.amount_fen))
    throw new RangeError(`post of ${amount} outside hold ${key} of ${p.amount_fen}`);
  if (p.status !== 'pending' || !(await markResolved(trx, p, 'posted', amount, opts.now))) return 'already_resolved';
  // The same two account updates release the hold and move the posted amount (the rest of the hold is released too).
  await transfer(
    trx,
    {
      key: opts.transferKey,
      from: p.from_account,
      to: p.to_account,
      amountFen: amount,
      orderNo: p.order_no,
      memo: opts.memo,
      now: opts.now,
    },
    { heldFen: Number(p.amount_fen) },
  );
  return 'posted';
}

/** Voids a pending transfer once (false when it is not pending: posted, voided, expired or unknown). */
export async function voidPending(trx: Db, key: string, now: number): Promise<boolean> {
  const p = await findPending(trx, key);
  if (!p || p.status !== 'pending') return false;
  return resolve(trx, p, 'voided', null, now);
}

/**
 * The expiry job: releases holds whose timeout passed (each by its own conditional update; safe on many instances), each
 * in `inTransaction`, so its two releases wait for the commit like a payment's legs: one UPDATE in id order (the hot
 * `coverage_issued` / `quota_issued` rows locked for the last statement only, never against a payment's order) and
 * a deadlock is retried.
 */
export async function expirePending(db: Kysely<Database>, now: number, limit = 100): Promise<number> {
  const due = await db
    .selectFrom('ledger_pending')
    .select(['id', 'from_account', 'to_account', 'amount_fen', 'order_no', 'status'])
    .where('status', '=', 'pending')
    .where('timeout_at', '<', now)
    .limit(limit)
    .execute();
  let expired = 0;
  for (const p of due) {
    if (await inTransaction(db, (trx) => resolve(trx, p, 'expired', null, now))) expired++;
  }
  return expired;
}

/** The state of a hold (undefined when there is none). */
export async function pendingState(db: Db, key: string): Promise<{ status: LedgerPendingTable['status']; amountFen: number } | undefined> {
  const p = await findPending(db, key);
  return p ? { status: p.status, amountFen: Number(p.amount_fen) } : undefined;
}
