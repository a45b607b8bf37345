// Frozen: second factors for the phone user (issue 13). Bound cards can be removed (kept, with `removed_at`, so past
// payments still name their card); SMS challenges hold a pending card binding (Payzero card-agreement signing) or a
// PIN set/reset check, with their own try count and expiry. Runs on SQLite and MySQL/MariaDB alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('bound_cards').addColumn('removed_at', 'bigint').execute();
  await db.schema
    .createTable('sms_challenges')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('provider_request_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('card_id', 'varchar(40)')
    .addColumn('pending_card', 'text')
    .addColumn('phone_masked', 'varchar(20)', (c) => c.notNull())
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_challenges_user').on('sms_challenges').columns(['user_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sms_challenges').execute();
  await db.schema.alterTable('bound_cards').dropColumn('removed_at').execute();
}
