// Frozen: the console's refunds and partner API secret rotation (issues 8 / 10). Refunds record when they were
// submitted to the provider and when their REFUND_OVERDUE alert was raised (claimed once per refund by a conditional
// update); partners keep the API secret replaced by the last rotation, still accepted until `prev_api_secret_until`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refunds').addColumn('submitted_at', 'bigint').execute();
  await db.schema.alterTable('refunds').addColumn('overdue_alerted_at', 'bigint').execute();
  await db.schema.alterTable('partners').addColumn('prev_api_secret', 'varchar(128)').execute();
  await db.schema.alterTable('partners').addColumn('prev_api_secret_until', 'bigint').execute();
  await db.schema.createIndex('refunds_status_submitted').on('refunds').columns(['status', 'submitted_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('refunds_status_submitted').on('refunds').execute();
  await db.schema.alterTable('partners').dropColumn('prev_api_secret_until').execute();
  await db.schema.alterTable('partners').dropColumn('prev_api_secret').execute();
  await db.schema.alterTable('refunds').dropColumn('overdue_alerted_at').execute();
  await db.schema.alterTable('refunds').dropColumn('submitted_at').execute();
}
