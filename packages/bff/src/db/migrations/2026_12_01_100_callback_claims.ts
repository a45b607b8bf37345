// Frozen: the callback dispatcher claims many events per statement (issue 11). Each claim writes its own random token
// beside the lease, so the claimer can tell which rows it won when another instance took some of them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('callback_events').addColumn('claim_token', 'varchar(40)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('callback_events').dropColumn('claim_token').execute();
}
