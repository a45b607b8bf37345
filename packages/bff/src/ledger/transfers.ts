// Balanced transfers: one row, two entries and two balance updates in the caller's transaction, once per key.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
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

/**
 * Moves `amountFen` from one account to another of the same book, inside the caller's transaction.
 * Throws {@link InsufficientFunds} when the source may not go negative and cannot cover it: the caller's
 * transaction must then roll back (nothing of the transfer stays).
 */
export async function transfer(trx: Db, input: TransferInput): Promise<TransferResult> {
  const { key, from, to, amountFen, now } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new RangeError(`transfer amount must be a positive integer of fen: ${amountFen}`);
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
    .values({
      id,
      idempotency_key: key,
      book: fromSpec.book,
      from_account: from,
      to_account: to,
      amount_fen: amountFen,
      order_no: input.orderNo ?? null,
      memo: input.memo,
      created_at: now,
    })
    .execute();

  const debit = () =>
    trx
      .updateTable('ledger_accounts')
      .set({ balance_fen: sql<number>`balance_fen - ${amountFen}`, updated_at: now })
      .where('id', '=', from)
      // What pending transfers hold is not available: balance − debits_pending must cover it.
      .where((eb) => eb.or([eb('allow_negative', '=', 1), eb(sql<number>`balance_fen - debits_pending_fen`, '>=', amountFen)]))
      .executeTakeFirst();
  const credit = () =>
    trx
      .updateTable('ledger_accounts')
      .set({ balance_fen: sql<number>`balance_fen + ${amountFen}`, updated_at: now })
      .where('id', '=', to)
      .executeTakeFirst();

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
