// Balanced transfers: two balance legs, one row and two entries in the caller's transaction, once per key.
import { sql } from 'kysely';
import { compiled, compiledInsert } from '../db/compiled-query.ts';
import type { Db } from '../db/database.ts';
import { insertOnce } from '../db/insert-once.ts';
import { newId } from '../lib/ids.ts';
import { accountSpec, InsufficientFunds } from './accounts.ts';
import { applyLeg, updateWithFloor } from './deferred.ts';

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

/** A hold released by the same two updates that move the money (posting a pending transfer, ledger/pending.ts). */
export interface Release {
  /** Taken off the source's `debits_pending_fen` and the target's `credits_pending_fen`. */
  heldFen: number;
}

// The statements every transfer runs, compiled once per dialect (db/compiled-query.ts).
const insertTransfer = compiledInsert('ledger_transfers', {
  id: true,
  idempotency_key: true,
  book: true,
  from_account: true,
  to_account: true,
  amount_fen: true,
  order_no: true,
  memo: true,
  created_at: true,
});
const insertEntries = compiled((db, p: { id: string; from: string; to: string; debit: number; credit: number; now: number }) =>
  db.insertInto('ledger_entries').values([
    { transfer_id: p.id, account_id: p.from, amount_fen: p.debit, created_at: p.now },
    { transfer_id: p.id, account_id: p.to, amount_fen: p.credit, created_at: p.now },
  ]),
);
const deleteEntries = compiled((db, p: { id: string }) => db.deleteFrom('ledger_entries').where('transfer_id', '=', p.id));
const deleteTransfer = compiled((db, p: { id: string }) => db.deleteFrom('ledger_transfers').where('id', '=', p.id));
/** The debit of an account with a floor; `held` (0 for a plain transfer) is the hold the same update releases. */
const floorDebit = compiled((db, p: { id: string; amount: number; held: number; now: number }) =>
  db
    .updateTable('ledger_accounts')
    .set({
      balance_fen: sql<number>`balance_fen - ${p.amount}`,
      debits_pending_fen: sql<number>`debits_pending_fen - ${p.held}`,
      updated_at: p.now,
    })
    .where('id', '=', p.id)
    .where(sql<number>`balance_fen - debits_pending_fen + ${p.held}`, '>=', p.amount),
);
const transferByKey = compiled((db, p: { key: string }) =>
  db.selectFrom('ledger_transfers').select(['id', 'from_account', 'to_account', 'amount_fen']).where('idempotency_key', '=', p.key),
);

/**
 * Moves `amountFen` from one account to another of the same book, inside the caller's transaction.
 * Throws {@link InsufficientFunds} when the source may not go negative and cannot cover it; that refusal leaves
 * nothing behind (the transfer row and entries it wrote are deleted again), so a caller may catch it and go on in the
 * same transaction (settlement parks the insurer share that way). Any other error leaves the transaction to roll back.
 *
 * The transfer row comes first (its unique key answers a repeat before any balance moves), then both entries; then
 * the legs: a debit with a floor is one conditional update made here, a leg that cannot be refused (a credit, a debit
 * of an account allowed negative) waits for the commit inside `inTransaction` (ledger/deferred.ts), so the hot
 * accounts every payment touches are locked for the last statement of the transaction only.
 */
export async function transfer(trx: Db, input: TransferInput, release?: Release): Promise<TransferResult> {
  const { key, from, to, amountFen, now } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new RangeError(`transfer amount must be a positive integer of fen: ${amountFen}`);
  if (from === to) throw new RangeError('transfer to the same account');
  const fromSpec = accountSpec(from);
  const toSpec = accountSpec(to);
  if (fromSpec.book !== toSpec.book) throw new RangeError(`transfer across books: ${from} → ${to}`);
  const held = release?.heldFen ?? 0;

  const id = newId('TR', now);
  const inserted = await insertOnce(trx, insertTransfer, {
    id,
    idempotency_key: key,
    book: fromSpec.book,
    from_account: from,
    to_account: to,
    amount_fen: amountFen,
    order_no: input.orderNo ?? null,
    memo: input.memo,
    created_at: now,
  });
  if (!inserted) {
    // The key was used already: nothing moves (a hold being posted is only released) and it is answered as a repeat.
    const prior = await priorTransfer(trx, input);
    if (!prior) throw new Error(`transfer ${key} neither inserted nor found`);
    if (held) {
      await applyLeg(trx, from, { debitsPending: -held }, now);
      await applyLeg(trx, to, { creditsPending: -held }, now);
    }
    return prior;
  }
  await insertEntries.execute(trx, { id, from, to, debit: -amountFen, credit: amountFen, now });

  if (fromSpec.allowNegative) await applyLeg(trx, from, { balance: -amountFen, debitsPending: -held }, now);
  else if (!(await debitWithFloor(trx, from, amountFen, held, now))) {
    await deleteEntries.execute(trx, { id });
    await deleteTransfer.execute(trx, { id });
    throw new InsufficientFunds(from, amountFen);
  }
  await applyLeg(trx, to, { balance: amountFen, creditsPending: -held }, now);
  return { status: 'created', transferId: id };
}

/**
 * The conditional debit of an account that may not go negative: what pending transfers hold is not available
 * (balance − debits_pending must cover it; a released hold is available again to the posting that releases it).
 * What the transaction deferred for the account is applied first, so the condition sees it. False when refused.
 */
function debitWithFloor(trx: Db, from: string, amountFen: number, held: number, now: number): Promise<boolean> {
  return updateWithFloor(trx, from, now, async () => (await floorDebit.affected(trx, { id: from, amount: amountFen, held, now })) === 1);
}

/** The transfer already made under this key (a repeat), checked to be the same movement. */
async function priorTransfer(trx: Db, input: TransferInput): Promise<TransferResult | null> {
  const prior = await transferByKey.first(trx, { key: input.key });
  if (!prior) return null;
  if (prior.from_account !== input.from || prior.to_account !== input.to || Number(prior.amount_fen) !== input.amountFen) {
    throw new Error(`idempotency key ${input.key} reused for a different transfer`);
  }
  return { status: 'duplicate', transferId: prior.id };
}
