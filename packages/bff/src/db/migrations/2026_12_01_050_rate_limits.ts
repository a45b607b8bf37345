// Frozen: abuse-limit counters (issue 12), one row per (limit key, fixed window), shared by every instance.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    // `<name>:<subject>|<window start ms>`; subjects are hashed when long, so 191 fits utf8mb4 unique keys.
    .addColumn('bucket', 'varchar(191)', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limits_expires').on('rate_limits').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
