// Frozen: the stored reconciliation runs and their differences (issue 9). `active` is unique (NULLs allowed many
// times on SQLite and MySQL alike): a run claims it by its insert, so one run at a time, across instances.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconcile_runs')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addColumn('ran_by', 'varchar(80)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('active', 'varchar(16)', (c) => c.unique())
    .addColumn('lease_until', 'bigint')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('orders', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('orders_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('insurers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('provider_checks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('difference_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'varchar(255)')
    .execute();
  await db.schema.createIndex('reconcile_runs_started').on('reconcile_runs').columns(['started_at']).execute();
  await db.schema
    .createTable('reconcile_differences')
    .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('check_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('order_no', 'varchar(32)')
    .addColumn('ic_code', 'varchar(32)')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reconcile_differences_pk', ['run_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['reconcile_differences', 'reconcile_runs']) await db.schema.dropTable(t).ifExists().execute();
}
