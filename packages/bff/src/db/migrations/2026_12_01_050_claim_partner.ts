// Frozen: a claim (and so its user) belongs to the partner it was issued through (issue 12, hole 4); another
// partner's link for it is refused. Existing claims: the demo claims go to the demo partner; when the database has
// exactly one partner every claim goes to it; otherwise they stay NULL — refused until an operator assigns them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('claims').addColumn('partner_id', 'varchar(64)').execute();
  await db.schema.createIndex('claims_partner').on('claims').column('partner_id').execute();
  const partners = (await db.selectFrom('partners').select(['id', 'is_demo']).execute()) as { id: string; is_demo: number }[];
  const demo = partners.find((p) => Number(p.is_demo) === 1);
  if (demo) await db.updateTable('claims').set({ partner_id: demo.id }).where('claim_no', 'like', 'CLM-DEMO-%').execute();
  const only = partners.length === 1 ? partners[0] : undefined;
  if (only) await db.updateTable('claims').set({ partner_id: only.id }).where(sql.ref('partner_id'), 'is', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('claims_partner').on('claims').execute();
  await db.schema.alterTable('claims').dropColumn('partner_id').execute();
}
