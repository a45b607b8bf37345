// Frozen: resumable reconciliation runs (issue 9). `claim_token` names the instance holding a run's lease (its every
// write is conditional on it, so an instance that lost the lease writes nothing more); `cursor_at` / `cursor_no` are
// the last order checked (the window's orders in (created_at, order_no) order) at the last checkpoint, from which the
// instance that claims the expired lease continues; `resumes` counts those claims.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reconcile_runs').addColumn('claim_token', 'varchar(32)').execute();
  await db.schema.alterTable('reconcile_runs').addColumn('cursor_at', 'bigint').execute();
  await db.schema.alterTable('reconcile_runs').addColumn('cursor_no', 'varchar(32)').execute();
  await db.schema
    .alterTable('reconcile_runs')
    .addColumn('resumes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['claim_token', 'cursor_at', 'cursor_no', 'resumes'])
    await db.schema.alterTable('reconcile_runs').dropColumn(c).execute();
}
