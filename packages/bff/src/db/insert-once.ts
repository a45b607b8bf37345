// The one idempotent insert: a row keyed by a unique index is written once; a repeat is reported, not thrown.
import type { InsertObject } from 'kysely';
import type { CompiledStatement } from './compiled-query.ts';
import { isUniqueViolation, type Db } from './database.ts';
import type { Database } from './tables.ts';

/**
 * Inserts `row` into `table` (or runs a compiled insert statement with `row` as its input); false when a unique or
 * primary key already holds it (a retried step, a replayed notify). Inside a transaction on MySQL a duplicate-key
 * error does not abort the transaction, so the caller may go on.
 */
export async function insertOnce<T extends keyof Database & string>(db: Db, table: T, row: InsertObject<Database, T>): Promise<boolean>;
export async function insertOnce<P>(db: Db, statement: CompiledStatement<P, unknown>, row: P): Promise<boolean>;
export async function insertOnce(db: Db, target: string | CompiledStatement<unknown, unknown>, row: unknown): Promise<boolean> {
  try {
    if (typeof target === 'string')
      await db
        .insertInto(target as keyof Database)
        .values(row as never)
        .execute();
    else await target.execute(db, row);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
