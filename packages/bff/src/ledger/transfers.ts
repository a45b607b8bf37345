// Balanced transfers: two balance legs, one row and two entries in the caller's transaction, once per key.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { insertOnce } from '../db/insert-once.ts';
import { newId } from '../lib/ids.ts';
import { accountSpec, ensureAccount, InsufficientFunds } from './accounts.ts';
import { applyLeg, flushAccount } from './deferred.ts';

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
    // The key was used already: nothing moves (a hold being posted is only released) and it is answered as a repeat.
    const prior = await priorTransfer(trx, input);
    if (!prior) throw new Error(`transfer ${key} neither inserted nor found`);
    if (held) {
      await applyLeg(trx, from, { debitsPending: -held }, now);
      await applyLeg(trx, to, { creditsPending: -held }, now);
    }
    return prior;
  }
  await trx
    .insertInto('ledger_entries')
    .values([
      { transfer_id: id, account_id: from, amount_fen: -amountFen, created_at: now },
      { transfer_id: id, account_id: to, amount_fen: amountFen, created_at: now },
    ])
    .execute();

  if (fromSpec.allowNegative) await applyLeg(trx, from, { balance: -amountFen, debitsPending: -held }, now);
  else if (!(await debitWithFloor(trx, from, amountFen, held, now))) {
    await trx.deleteFrom('ledger_entries').where('transfer_id', '=', id).execute();
    await trx.deleteFrom('ledger_transfers').where('id', '=', id).execute();
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
async function debitWithFloor(trx: Db, from: string, amountFen: number, held: number, now: number): Promise<boolean> {
  await flushAccount(trx, from);
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
          .where(sql<number>`balance_fen - debits_pending_fen + ${held}`, '>=', amountFen)
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1;
  if (await debit()) return true;
  // Accounts are created on first use: only when the update touched no row is the account looked for.
  if (await trx.selectFrom('ledger_accounts').select('id').where('id', '=', from).executeTakeFirst()) return false;
  await ensureAccount(trx, from, now);
  return debit();
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
