// Frozen: the first schema. Runs on SQLite and MySQL/MariaDB alike. Times are Unix ms (bigint), money is fen (bigint).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partners')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('link_secret', 'varchar(255)', (c) => c.notNull())
    .addColumn('callback_secret', 'varchar(255)', (c) => c.notNull())
    .addColumn('callback_hosts', 'varchar(1024)', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('pin_hash', 'varchar(255)')
    .addColumn('pin_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pin_locked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('claims')
    .addColumn('claim_no', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('policy_no', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('ic_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('insurer_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('product_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('ratio_bp', 'integer', (c) => c.notNull())
    .addColumn('deductible_fen', 'bigint', (c) => c.notNull())
    .addColumn('coverage_left_fen', 'bigint', (c) => c.notNull())
    .addColumn('valid_from', 'varchar(10)', (c) => c.notNull())
    .addColumn('valid_to', 'varchar(10)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policies_user').on('policies').columns(['user_id']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('order_no', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('partner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('refer_no', 'varchar(64)', (c) => c.notNull())
    // refer_no while the order is not closed: at most one live order per (partner, refer_no).
    .addColumn('active_ref', 'varchar(64)')
    .addColumn('claim_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('policy_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('ic_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('insurer_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('insurer_fen', 'bigint', (c) => c.notNull())
    .addColumn('self_pay_fen', 'bigint', (c) => c.notNull())
    .addColumn('marker', 'varchar(64)')
    .addColumn('callback_url', 'varchar(512)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('settlement_step', 'varchar(24)')
    .addColumn('next_seq', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('deadline_at', 'bigint', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .addColumn('paid_attempt_id', 'varchar(32)')
    .addColumn('closed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_active_ref').on('orders').columns(['partner_id', 'active_ref']).unique().execute();
  await db.schema.createIndex('orders_status_deadline').on('orders').columns(['status', 'deadline_at']).execute();
  await db.schema.createIndex('orders_user').on('orders').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('payment_attempts')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('order_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('method', 'varchar(16)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('card_id', 'varchar(40)')
    .addColumn('provider_ref', 'varchar(64)')
    .addColumn('provider_trade_no', 'varchar(64)')
    .addColumn('failure_reason', 'varchar(32)')
    .addColumn('internal_reason', 'varchar(255)')
    .addColumn('submitted_at', 'bigint')
    .addColumn('next_poll_at', 'bigint')
    .addColumn('poll_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempts_order').on('payment_attempts').columns(['order_no']).execute();
  await db.schema.createIndex('attempts_status_poll').on('payment_attempts').columns(['status', 'next_poll_at']).execute();
  await db.schema.createIndex('attempts_provider_ref').on('payment_attempts').columns(['provider_ref']).unique().execute();

  await db.schema
    .createTable('bound_cards')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('bank_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('holder_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('masked_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('last4', 'varchar(4)', (c) => c.notNull())
    .addColumn('token', 'varchar(128)', (c) => c.notNull())
    .addColumn('phone_masked', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cards_user').on('bound_cards').columns(['user_id']).execute();

  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'varchar(96)', (c) => c.primaryKey())
    .addColumn('book', 'varchar(8)', (c) => c.notNull())
    .addColumn('kind', 'varchar(24)', (c) => c.notNull())
    .addColumn('allow_negative', 'integer', (c) => c.notNull())
    .addColumn('balance_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_transfers')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('book', 'varchar(8)', (c) => c.notNull())
    .addColumn('from_account', 'varchar(96)', (c) => c.notNull())
    .addColumn('to_account', 'varchar(96)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('order_no', 'varchar(32)')
    .addColumn('memo', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transfers_order').on('ledger_transfers').columns(['order_no']).execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('transfer_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(96)', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_pk', ['transfer_id', 'account_id'])
    .execute();
  await db.schema.createIndex('entries_account').on('ledger_entries').columns(['account_id']).execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('dedupe_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('order_no', 'varchar(32)')
    .addColumn('amount_fen', 'bigint')
    .addColumn('detail', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .execute();

  await db.schema
    .createTable('clearing_tasks')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('order_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('to_account', 'varchar(96)', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .addColumn('done_by', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('callback_events')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('order_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('partner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('url', 'varchar(512)', (c) => c.notNull())
    .addColumn('event', 'varchar(16)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('final', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'varchar(255)')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('callbacks_order_seq').on('callback_events').columns(['order_no', 'seq']).unique().execute();
  await db.schema.createIndex('callbacks_due').on('callback_events').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('callback_deliveries')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('event_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'varchar(255)')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deliveries_event').on('callback_deliveries').columns(['event_id']).execute();

  await db.schema
    .createTable('provider_notifications')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(16)', (c) => c.notNull())
    .addColumn('dedupe_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('attempt_id', 'varchar(32)')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('admin_users')
    .addColumn('username', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('actor', 'varchar(64)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'varchar(128)')
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_log',
    'admin_users',
    'provider_notifications',
    'callback_deliveries',
    'callback_events',
    'clearing_tasks',
    'alerts',
    'ledger_entries',
    'ledger_transfers',
    'ledger_accounts',
    'bound_cards',
    'payment_attempts',
    'orders',
    'policies',
    'claims',
    'users',
    'partners',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
