// Frozen: admin sign-in is limited by the abuse-limit counters (`rate_limits`, RATE_LIMIT_ADMIN_SIGNIN_*) alone, so
// the second mechanism's table goes (issue 12: one sign-in limiter). Its rows were only counted over 15 minutes.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('admin_login_attempts').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
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
}
