// Read-only views of the ledger for the console: every account with its balance, the transfers of an order.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LedgerAccountTable, LedgerTransferTable } from './ledger.table.ts';

export function listAccounts(db: Db): Promise<Array<Selectable<LedgerAccountTable>>> {
  return db.selectFrom('ledger_accounts').selectAll().orderBy('book').orderBy('id').execute();
}

export function transfersOfOrder(db: Db, orderNo: string): Promise<Array<Selectable<LedgerTransferTable>>> {
  return db.selectFrom('ledger_transfers').selectAll().where('order_no', '=', orderNo).orderBy('created_at').orderBy('id').execute();
}

export function transferByKey(db: Db, key: string): Promise<Selectable<LedgerTransferTable> | undefined> {
  return db.selectFrom('ledger_transfers').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}
