// Frozen: bound cards get a keyed fingerprint of the card number (HMAC, never the number itself), so binding the same
// card twice returns the existing binding instead of a duplicate. Runs on SQLite and MySQL/MariaDB alike.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Nullable: cards bound before this migration (the demo card) have none; NULLs never collide in a unique index.
  await db.schema.alterTable('bound_cards').addColumn('fingerprint', 'varchar(64)').execute();
  await db.schema.createIndex('cards_user_fingerprint').on('bound_cards').columns(['user_id', 'fingerprint']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cards_user_fingerprint').on('bound_cards').execute();
  await db.schema.alterTable('bound_cards').dropColumn('fingerprint').execute();
}
