// Balanced transfers: two balance updates, one row and two entries in the caller's transaction, once per key.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { insertOnce } from '../db/insert-once.ts';
import { newId } from '../lib/ids.ts';
import { accountSpec, ensureAccount, InsufficientFunds } from './accounts.ts';

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

/**
 * Moves `amountFen` from one account to another of the same book, inside the caller's transaction.
 * Throws {@link InsufficientFunds} when the source may not go negative and cannot cover it; that refusal writes
 * nothing (the balance updates come first and are conditional), so a caller may catch it and go on in the same
 * transaction (settlement parks the insurer share that way). Any other error leaves the transaction to roll back.
 *
 * The common case costs four statements: the conditional debit, the credit, the transfer row (its unique key makes a
 * repeat a no-op: the two updates are then undone in the same transaction) and both entries in one insert.
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

  const debit = async () =>
    Number(
      (
        await trx
          .updateTable('ledger_accounts')
          .set({
            balance_fen: sql<number>`balance_fen - ${amountFen}`,
            ...(held ? { debits_pending_fen: sql<number>`debits_pending_fen - ${held}` } : {}),
            updated_at: now,
          })
          .where('id', '=', from)
          // What pending transfers hold is not available: balance − debits_pending must cover it (a released hold is
          // available again to the posting that releases it).
          .where((eb) =>
            eb.or([eb('allow_negative', '=', 1), eb(sql<number>`balance_fen - debits_pending_fen + ${held}`, '>=', amountFen)]),
          )
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1;
  const credit = async () =>
    Number(
      (
        await trx
          .updateTable('ledger_accounts')
          .set({
            balance_fen: sql<number>`balance_fen + ${amountFen}`,
            ...(held ? { credits_pending_fen: sql<number>`credits_pending_fen - ${held}` } : {}),
            updated_at: now,
          })
          .where('id', '=', to)
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1;

  // Accounts are created on first use: only when an update touched no row is the account looked for.
  if (!(await debit())) {
    // A repeat of a transfer already made (its money is gone from the source) is answered as the repeat it is.
    const prior = await priorTransfer(trx, input);
    if (prior) {
      if (held) await releaseOnly(trx, from, to, held, now);
      return prior;
    }
    const exists = await trx.selectFrom('ledger_accounts').select('id').where('id', '=', from).executeTakeFirst();
    if (exists) throw new InsufficientFunds(from, amountFen);
    await ensureAccount(trx, from, now);
    if (!(await debit())) throw new InsufficientFunds(from, amountFen);
  }
  if (!(await credit())) {
    await ensureAccount(trx, to, now);
    await credit();
  }

  const id = newId('TR', now);
  const inserted = await insertOnce(trx, 'ledger_transfers', {
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
    // The key was used already: take the money back (a released hold stays released) and answer as a repeat.
    await trx
      .updateTable('ledger_accounts')
      .set({ balance_fen: sql<number>`balance_fen + ${amountFen}` })
      .where('id', '=', from)
      .execute();
    await trx
      .updateTable('ledger_accounts')
      .set({ balance_fen: sql<number>`balance_fen - ${amountFen}` })
      .where('id', '=', to)
      .execute();
    const prior = await priorTransfer(trx, input);
    if (!prior) throw new Error(`transfer ${key} neither inserted nor found`);
    return prior;
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

/** Releases a hold's pending amounts without moving money (a posting whose transfer key was used already). */
async function releaseOnly(trx: Db, from: string, to: string, held: number, now: number): Promise<void> {
  await trx
    .updateTable('ledger_accounts')
    .set({ debits_pending_fen: sql<number>`debits_pending_fen - ${held}`, updated_at: now })
    .where('id', '=', from)
    .execute();
  await trx
    .updateTable('ledger_accounts')
    .set({ credits_pending_fen: sql<number>`credits_pending_fen - ${held}`, updated_at: now })
    .where('id', '=', to)
    .execute();
}

/** The transfer already made under this key (a repeat), checked to be the same movement. */
async function priorTransfer(trx: Db, input: TransferInput): Promise<TransferResult | null> {
  const prior = await trx
    .selectFrom('ledger_transfers')
    .select(['id', 'from_account', 'to_account', 'amount_fen'])
    .where('idempotency_key', '=', input.key)
    .executeTakeFirst();
  if (!prior) return null;
  if (prior.from_account !== input.from || prior.to_account !== input.to || Number(prior.amount_fen) !== input.amountFen) {
    throw new Error(`idempotency key ${input.key} reused for a different transfer`);
  }
  return { status: 'duplicate', transferId: prior.id };
}
