// Frozen: the operator console — admin roles and server-side sessions, sign-in attempts (shared by every instance),
// a richer audit log, alert handling, partner secret rotation with an overlap window, insurer warning levels, and the
// durable queue of alert pushes to the admin robot webhook. Runs on SQLite and MySQL/MariaDB alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('admin_users')
    .addColumn('role', 'varchar(16)', (c) => c.notNull().defaultTo('viewer'))
    .execute();
  await db.schema.alterTable('admin_users').addColumn('disabled_at', 'bigint').execute();
  // The demo admin (seeded before this migration) operates the demo with every right.
  await db.updateTable('admin_users').set({ role: 'finance' }).where('is_demo', '=', 1).execute();

  await db.schema
    .createTable('admin_sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('admin_sessions_user').on('admin_sessions').columns(['username']).execute();

  await db.schema
    .createTable('admin_login_attempts')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_login_user').on('admin_login_attempts').columns(['username', 'created_at']).execute();
  await db.schema.createIndex('admin_login_ip').on('admin_login_attempts').columns(['ip', 'created_at']).execute();

  await db.schema.alterTable('audit_log').addColumn('role', 'varchar(16)').execute();
  await db.schema.alterTable('audit_log').addColumn('request_id', 'varchar(64)').execute();
  await db.schema.alterTable('audit_log').addColumn('before_json', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('after_json', 'text').execute();
  await db.schema.createIndex('audit_log_created').on('audit_log').columns(['created_at']).execute();

  await db.schema.alterTable('alerts').addColumn('acknowledged_by', 'varchar(64)').execute();
  await db.schema.alterTable('alerts').addColumn('resolved_at', 'bigint').execute();
  await db.schema.alterTable('alerts').addColumn('resolved_by', 'varchar(64)').execute();
  await db.schema.alterTable('alerts').addColumn('resolution_note', 'varchar(500)').execute();
  await db.schema.createIndex('alerts_status_kind').on('alerts').columns(['status', 'kind']).execute();

  await db.schema.alterTable('partners').addColumn('disabled_at', 'bigint').execute();
  await db.schema.alterTable('partners').addColumn('prev_link_secret', 'varchar(255)').execute();
  await db.schema.alterTable('partners').addColumn('prev_link_secret_until', 'bigint').execute();
  await db.schema.alterTable('partners').addColumn('prev_callback_secret', 'varchar(255)').execute();
  await db.schema.alterTable('partners').addColumn('prev_callback_secret_until', 'bigint').execute();

  await db.schema
    .createTable('insurer_settings')
    .addColumn('ic_code', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('warning_fen', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_pushes')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('alert_id', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'varchar(255)')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_pushes_due').on('alert_pushes').columns(['status', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['alert_pushes', 'insurer_settings', 'admin_login_attempts', 'admin_sessions'])
    await db.schema.dropTable(t).ifExists().execute();
}
