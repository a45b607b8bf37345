// Frozen: one set of insurer alert levels. The admin console's warning levels (insurer_settings, 020) move into the
// quota book's quota_thresholds (030: warning + critical with their armed state); insurer_settings is dropped.
// An insurer with only a console warning level gets critical 0 (raised only once its quota is negative), armed.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const rows = await db.selectFrom('insurer_settings').select(['ic_code', 'warning_fen', 'updated_at']).execute();
  for (const r of rows) {
    const known = await db.selectFrom('quota_thresholds').select('critical_fen').where('ic_code', '=', r.ic_code).executeTakeFirst();
    const warning = Number(r.warning_fen);
    if (known)
      await db
        .updateTable('quota_thresholds')
        .set({ warning_fen: warning, critical_fen: Math.min(Number(known.critical_fen), warning) })
        .where('ic_code', '=', r.ic_code)
        .execute();
    else
      await db
        .insertInto('quota_thresholds')
        .values({
          ic_code: r.ic_code,
          warning_fen: r.warning_fen,
          critical_fen: 0,
          warning_armed: 1,
          critical_armed: 1,
          warning_seq: 0,
          critical_seq: 0,
          updated_at: r.updated_at,
        })
        .execute();
  }
  await db.schema.dropTable('insurer_settings').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('insurer_settings')
    .addColumn('ic_code', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('warning_fen', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  const rows = await db.selectFrom('quota_thresholds').select(['ic_code', 'warning_fen', 'updated_at']).execute();
  for (const r of rows) await db.insertInto('insurer_settings').values(r).execute();
}
