// The one idempotent insert: a row keyed by a unique index is written once; a repeat is reported, not thrown.
import type { InsertObject } from 'kysely';
import { isUniqueViolation, type Db } from './database.ts';
import type { Database } from './tables.ts';

/**
 * Inserts `row` into `table`; false when a unique or primary key already holds it (a retried step, a replayed notify).
 * Inside a transaction on MySQL a duplicate-key error does not abort the transaction, so the caller may go on.
 */
export async function insertOnce<T extends keyof Database & string>(db: Db, table: T, row: InsertObject<Database, T>): Promise<boolean> {
  try {
    await db.insertInto(table).values(row).execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
