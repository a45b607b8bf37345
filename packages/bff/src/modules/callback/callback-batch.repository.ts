// Batch claims of the callback outbox (issue 11): many due events read and claimed per statement. A claim is one
// conditional UPDATE that matches each event only while it is still due, and writes a random token beside the lease,
// so several instances share the queue (never SELECT … FOR UPDATE SKIP LOCKED) and each knows which rows it won.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import { dueOrLeaseLapsed } from '../../db/lease.ts';
import type { CallbackEventRow } from './callback.table.ts';

/**
 * A row condition no index can serve, so that a statement keyed by a list of ids or orders seeks by that list: with a
 * plain `status = … AND next_attempt_at …` beside the list, SQLite's planner scanned the (status, next_attempt_at)
 * index over the whole queue instead — every round, i.e. quadratic in the backlog (bench/explain-callbacks.ts).
 */
const rowIs = (cond: RawBuilder<unknown>) => sql<SqlBool>`(case when ${cond} then 1 else 0 end) = 1`;

/** Due events, at most `limit`: pending ones whose time has come, then sending ones whose lease ran out (a crashed worker). */
export async function dueBatch(db: Db, now: number, limit: number): Promise<CallbackEventRow[]> {
  const pending = await db
    .selectFrom('callback_events')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('seq')
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

export interface Undelivered {
  seq: number;
  /** When it may go next: its next attempt (pending), or now + SENDING_WAIT_MS for one in flight (sending). */
  dueAt: number;
}
/** How long an event held back by an earlier one in another sender's hands waits before it is looked at again. */
const SENDING_WAIT_MS = 1_000;

/** Every undelivered (pending or sending) event of these orders. */
export async function undeliveredSeqs(db: Db, orderNos: string[], now: number): Promise<Map<string, Undelivered[]>> {
  const out = new Map<string, Undelivered[]>();
  for (let i = 0; i < orderNos.length; i += 500) {
    const rows = await db
      .selectFrom('callback_events')
      .select(['order_no', 'seq', 'status', 'next_attempt_at'])
      .where('order_no', 'in', orderNos.slice(i, i + 500))
      .where(rowIs(sql`status in ('pending', 'sending')`))
      .execute();
    for (const r of rows) {
      const u = { seq: Number(r.seq), dueAt: r.status === 'sending' ? now + SENDING_WAIT_MS : Number(r.next_attempt_at) };
      out.set(r.order_no, [...(out.get(r.order_no) ?? []), u]);
    }
  }
  return out;
}

/**
 * Held-back events not sent now: due again at their given time (grouped: one statement per time). Claimed ones are
 * matched by the claim's token (`token`), unclaimed ones only while still pending and due as they were read.
 */
export async function deferEvents(db: Db, until: Map<number, string[]>, now: number, token: string | null): Promise<void> {
  for (const [at, ids] of until) {
    for (let i = 0; i < ids.length; i += 500) {
      let q = db
        .updateTable('callback_events')
        .set({ status: 'pending', next_attempt_at: at, lease_until: null, claim_token: null })
        .where('id', 'in', ids.slice(i, i + 500));
      q = token !== null ? q.where('claim_token', '=', token) : q.where(rowIs(sql`status = 'pending' and next_attempt_at <= ${now}`));
      await q.execute();
    }
  }
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
    .where(rowIs(dueOrLeaseLapsed(now)))
    .executeTakeFirst();
  const won = Number(res.numUpdatedRows);
  if (won === ids.length) return new Set(ids);
  if (won === 0) return new Set();
  const rows = await db.selectFrom('callback_events').select('id').where('id', 'in', ids).where('claim_token', '=', token).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Makes these events (or every event of these orders) due now (the outage rule, callback-recovery.ts): only those still
 * pending, not due yet, and with fewer than `maxAttempts` attempts. Returns how many it moved.
 */
export async function pullForward(db: Db, by: 'id' | 'order_no', keys: string[], now: number, maxAttempts: number): Promise<number> {
  let moved = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const res = await db
      .updateTable('callback_events')
      .set({ next_attempt_at: now })
      .where(by, 'in', keys.slice(i, i + 500))
      .where(rowIs(sql`status = 'pending' and next_attempt_at > ${now} and attempts < ${maxAttempts}`))
      .executeTakeFirst();
    moved += Number(res.numUpdatedRows);
  }
  return moved;
}

export interface Delivered {
  event: Pick<CallbackEventRow, 'id' | 'attempts' | 'order_no' | 'seq'>;
  deliveryId: string;
  statusCode: number;
  durationMs: number;
  at: number;
}

/**
 * Delivered events of one claim: their delivery records in one insert, their state in one update per status code.
 * Their orders' later events that were never tried and wait (another instance read them while these were in flight
 * and deferred them behind these, SENDING_WAIT_MS) are made due now: returns how many.
 */
export async function recordDelivered(db: Db, done: Delivered[], token: string, at: number): Promise<number> {
  let released = 0;
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
    released += await pullForward(db, 'order_no', [...new Set(chunk.map((d) => d.event.order_no))], at, 1);
  }
  return released;
}
