// Frozen: the dispatcher reads due events in (next_attempt_at, seq) order (issue 11: an order's earlier event is never
// behind its later one in a batch, so held-back events cannot fill a batch); this index serves that order without a
// sort. (callbacks_due on (status, next_attempt_at) stays: a prefix of this one, kept for the statements that use it.)
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('callbacks_due_seq').on('callback_events').columns(['status', 'next_attempt_at', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('callbacks_due_seq').on('callback_events').execute();
}
