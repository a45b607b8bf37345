// Batch claims of the callback outbox (issue 11): many due events read and claimed per statement. A claim is one
// conditional UPDATE that matches each event only while it is still due, and writes a random token beside the lease,
// so several instances share the queue (never SELECT … FOR UPDATE SKIP LOCKED) and each knows which rows it won.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CallbackEventRow } from './callback.table.ts';

/** Due events, at most `limit`: pending ones whose time has come, then sending ones whose lease ran out (a crashed worker). */
export async function dueBatch(db: Db, now: number, limit: number): Promise<CallbackEventRow[]> {
  const pending = await db
    .selectFrom('callback_events')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  if (pending.length >= limit) return pending;
  const lapsed = await db
    .selectFrom('callback_events')
    .selectAll()
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .orderBy('lease_until')
    .limit(limit - pending.length)
    .execute();
  return [...pending, ...lapsed];
}

/** The seqs of every undelivered (pending or sending) event of these orders. */
export async function undeliveredSeqs(db: Db, orderNos: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < orderNos.length; i += 500) {
    const rows = await db
      .selectFrom('callback_events')
      .select(['order_no', 'seq'])
      .where('order_no', 'in', orderNos.slice(i, i + 500))
      .where('status', 'in', ['pending', 'sending'])
      .execute();
    for (const r of rows) out.set(r.order_no, [...(out.get(r.order_no) ?? []), Number(r.seq)]);
  }
  return out;
}

/**
 * Claims events with a lease until `leaseUntil`, each only while it is still due at `now` (pending and due, or
 * sending with a lapsed lease); returns the ids this claim won (read back by its token only when it did not win all).
 */
export async function claimBatch(db: Db, ids: string[], now: number, leaseUntil: number, token: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const res = await db
    .updateTable('callback_events')
    .set({ status: 'sending', lease_until: leaseUntil, claim_token: token })
    .where('id', 'in', ids)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .executeTakeFirst();
  const won = Number(res.numUpdatedRows);
  if (won === ids.length) return new Set(ids);
  if (won === 0) return new Set();
  const rows = await db.selectFrom('callback_events').select('id').where('id', 'in', ids).where('claim_token', '=', token).execute();
  return new Set(rows.map((r) => r.id));
}

/** Claimed events not sent after all (their order's earlier event failed): due again as they were. */
export async function releaseClaims(db: Db, ids: string[], token: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('callback_events')
    .set({ status: 'pending', lease_until: null, claim_token: null })
    .where('id', 'in', ids)
    .where('claim_token', '=', token)
    .execute();
}

export interface Delivered {
  event: Pick<CallbackEventRow, 'id' | 'attempts'>;
  deliveryId: string;
  statusCode: number;
  durationMs: number;
  at: number;
}

/** Delivered events of one claim: their delivery records in one insert, their state in one update per status code. */
export async function recordDelivered(db: Db, done: Delivered[], token: string, at: number): Promise<void> {
  for (let i = 0; i < done.length; i += 200) {
    const chunk = done.slice(i, i + 200);
    await db
      .insertInto('callback_deliveries')
      .values(
        chunk.map((d) => ({
          id: d.deliveryId,
          event_id: d.event.id,
          attempt: Number(d.event.attempts) + 1,
          status_code: d.statusCode,
          error: null,
          duration_ms: d.durationMs,
          created_at: d.at,
        })),
      )
      .execute();
    for (const code of new Set(chunk.map((d) => d.statusCode))) {
      await db
        .updateTable('callback_events')
        .set({
          status: 'delivered',
          delivered_at: at,
          attempts: sql<number>`attempts + 1`,
          last_status: code,
          last_error: null,
          lease_until: null,
          claim_token: null,
        })
        .where(
          'id',
          'in',
          chunk.filter((d) => d.statusCode === code).map((d) => d.event.id),
        )
        .where('claim_token', '=', token)
        .execute();
    }
  }
}
