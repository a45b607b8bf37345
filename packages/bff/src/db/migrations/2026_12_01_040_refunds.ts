// Frozen: refunds (with their provider result and manual-task state), the partner's API secret and the nonces of
// signed partner API requests, and the refund an alert was answered by. Runs on SQLite and MySQL/MariaDB alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refunds')
    .addColumn('refund_no', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('order_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('partner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('partner_refund_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempt_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('method', 'varchar(16)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('insurer_fen', 'bigint', (c) => c.notNull())
    .addColumn('self_pay_fen', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'varchar(255)', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('task_status', 'varchar(16)', (c) => c.notNull().defaultTo('none'))
    .addColumn('provider_ref', 'varchar(64)')
    .addColumn('provider_status', 'varchar(32)')
    .addColumn('provider_detail', 'varchar(255)')
    .addColumn('next_poll_at', 'bigint')
    .addColumn('poll_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('task_done_by', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('refunds_partner_no').on('refunds').columns(['partner_id', 'partner_refund_no']).unique().execute();
  await db.schema.createIndex('refunds_order').on('refunds').columns(['order_no']).execute();
  await db.schema.createIndex('refunds_status_poll').on('refunds').columns(['status', 'next_poll_at']).execute();

  await db.schema.alterTable('partners').addColumn('api_secret', 'varchar(128)').execute();
  await db.schema.alterTable('alerts').addColumn('refund_no', 'varchar(32)').execute();

  await db.schema
    .createTable('partner_nonces')
    .addColumn('partner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('partner_nonces_pk', ['partner_id', 'nonce'])
    .execute();
  await db.schema.createIndex('partner_nonces_expiry').on('partner_nonces').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partner_nonces').execute();
  await db.schema.alterTable('alerts').dropColumn('refund_no').execute();
  await db.schema.alterTable('partners').dropColumn('api_secret').execute();
  await db.schema.dropTable('refunds').execute();
}
