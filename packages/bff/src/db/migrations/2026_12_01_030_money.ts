// Frozen: the quota book (a running total per insurer with its watermark, SPEC §3.7.2 at flat cost), the quota
// threshold levels with their armed state, and two-phase (pending) transfers in the ledger with the pending amounts
// on each account (TigerBeetle's debits_pending / credits_pending). Runs on SQLite and MySQL/MariaDB alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quota_totals')
    .addColumn('ic_code', 'varchar(32)', (c) => c.primaryKey())
    // Σ type 1 − Σ type 2 of every api_core_v2 record of the insurer with created_at ≤ watermark_at.
    .addColumn('settled_fen', 'bigint', (c) => c.notNull())
    .addColumn('watermark_at', 'bigint', (c) => c.notNull())
    .addColumn('recounted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('quota_thresholds')
    .addColumn('ic_code', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('warning_fen', 'bigint', (c) => c.notNull())
    .addColumn('critical_fen', 'bigint', (c) => c.notNull())
    // 1 = the next crossing below the level raises; 0 = raised, waiting for the quota to come back above it.
    .addColumn('warning_armed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('critical_armed', 'integer', (c) => c.notNull().defaultTo(1))
    // Crossing counters: part of the alert's dedupe key, so each crossing raises exactly once.
    .addColumn('warning_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('critical_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('ledger_accounts')
    .addColumn('debits_pending_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('ledger_accounts')
    .addColumn('credits_pending_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('ledger_pending')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('book', 'varchar(8)', (c) => c.notNull())
    .addColumn('from_account', 'varchar(96)', (c) => c.notNull())
    .addColumn('to_account', 'varchar(96)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('posted_fen', 'bigint')
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('timeout_at', 'bigint', (c) => c.notNull())
    .addColumn('order_no', 'varchar(32)')
    .addColumn('memo', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema.createIndex('ledger_pending_due').on('ledger_pending').columns(['status', 'timeout_at']).execute();
  await db.schema.createIndex('ledger_pending_from').on('ledger_pending').columns(['from_account', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ledger_pending').execute();
  await db.schema.alterTable('ledger_accounts').dropColumn('credits_pending_fen').execute();
  await db.schema.alterTable('ledger_accounts').dropColumn('debits_pending_fen').execute();
  await db.schema.dropTable('quota_thresholds').execute();
  await db.schema.dropTable('quota_totals').execute();
}
