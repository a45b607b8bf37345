// A transfer's two entries, inserted just before the commit together with every other transfer's of the transaction
// (issue 11): one multi-row INSERT per transaction instead of one per transfer, a round trip less per transfer on
// MySQL (a balance payment makes four). Entries are only appended, and nothing reads them inside the transaction that
// writes them (ledger/checks.ts reads them afterwards); a refused transfer takes its entries out again with its row.
// The queue lives only inside `inTransaction` (db/before-commit.ts): an error before the commit rolls the transfer
// rows back, and without a transaction the entries are inserted at once.
import { beforeCommit } from '../db/before-commit.ts';
import { compiled, compiledVariants } from '../db/compiled-query.ts';
import type { Db } from '../db/database.ts';

export interface EntryRow {
  transfer_id: string;
  account_id: string;
  amount_fen: number;
  created_at: number;
}

/** Rows per INSERT (four parameters each). */
const CHUNK = 64;

const queued = new WeakMap<object, EntryRow[]>();

/** Queues a transfer's entries for the commit (inside `inTransaction`), else inserts them now. */
export async function addEntries(trx: Db, rows: EntryRow[]): Promise<void> {
  let list = queued.get(trx);
  if (!list) {
    const fresh: EntryRow[] = [];
    if (beforeCommit(trx, () => flushEntries(trx))) queued.set(trx, (list = fresh));
  }
  if (list) list.push(...rows);
  else await insertRows(trx, rows);
}

/** Takes a refused transfer's entries out again: from the queue, or from the table when they were inserted. */
export async function dropEntries(trx: Db, transferId: string): Promise<void> {
  const list = queued.get(trx);
  const before = list?.length ?? 0;
  if (list) for (let i = list.length - 1; i >= 0; i--) if (list[i]!.transfer_id === transferId) list.splice(i, 1);
  if (!list || list.length === before) await deleteEntries.execute(trx, { id: transferId });
}

/** How many entries wait for the commit in this transaction (tests). */
export function queuedEntries(trx: Db): number {
  return queued.get(trx)?.length ?? 0;
}

async function flushEntries(trx: Db): Promise<void> {
  const list = queued.get(trx) ?? [];
  queued.delete(trx); // a transfer made by later before-commit work queues (and flushes) anew
  await insertRows(trx, list);
}

async function insertRows(trx: Db, rows: EntryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params: Record<string, string | number> = {};
    chunk.forEach((r, j) => {
      params[`t${j}`] = r.transfer_id;
      params[`a${j}`] = r.account_id;
      params[`m${j}`] = r.amount_fen;
      params[`c${j}`] = r.created_at;
    });
    await insertEntries(chunk.length).execute(trx, params);
  }
}

/** The INSERT of `n` entries (values `t<i>`, `a<i>`, `m<i>`, `c<i>`), compiled once per row count. */
const insertEntries = compiledVariants(
  (db, p: Record<string, string | number>, n: number) =>
    db.insertInto('ledger_entries').values(
      Array.from({ length: n }, (_, i) => ({
        transfer_id: p[`t${i}`] as string,
        account_id: p[`a${i}`] as string,
        amount_fen: p[`m${i}`] as number,
        created_at: p[`c${i}`] as number,
      })),
    ),
  CHUNK + 1,
);
const deleteEntries = compiled((db, p: { id: string }) => db.deleteFrom('ledger_entries').where('transfer_id', '=', p.id));
