// Frozen: the api_core_v2 insurer tables as dev and tests create them (production points at the real ones).
// Table names are configurable; amounts are integer fen; `ref_no` + `type` make a deduction happen once per order.
import type { Kysely } from 'kysely';

export function quotaMigration(insurerTable: string, recordTable: string) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable(insurerTable)
        .ifNotExists()
        .addColumn('ic_code', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable(recordTable)
        .ifNotExists()
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('ic_code', 'varchar(32)', (c) => c.notNull())
        .addColumn('type', 'integer', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('ref_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${recordTable}_ref`).on(recordTable).columns(['ref_no', 'type']).unique().execute();
      await db.schema.createIndex(`${recordTable}_ic`).on(recordTable).columns(['ic_code', 'type']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable(recordTable).ifExists().execute();
      await db.schema.dropTable(insurerTable).ifExists().execute();
    },
  };
}
