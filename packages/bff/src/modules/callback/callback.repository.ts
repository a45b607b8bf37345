// Small Kysely functions over the callback outbox and its delivery log; `db` first (a transaction works too).
import { compiled } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';
import type { CallbackEventRow } from './callback.table.ts';

type NewEvent = Pick<CallbackEventRow, 'id' | 'order_no' | 'partner_id' | 'url' | 'event' | 'seq' | 'final' | 'payload' | 'created_at'>;

/** Queues an event, due at once. */
export async function insertEvent(db: Db, event: NewEvent): Promise<void> {
  await insertEventRow.execute(db, event);
}

// Every payment queues one: compiled once per dialect (db/compiled-query.ts).
const insertEventRow = compiled((db, p: NewEvent) =>
  db.insertInto('callback_events').values({
    id: p.id,
    order_no: p.order_no,
    partner_id: p.partner_id,
    url: p.url,
    event: p.event,
    seq: p.seq,
    final: p.final,
    payload: p.payload,
    created_at: p.created_at,
    status: 'pending',
    next_attempt_at: p.created_at,
    lease_until: null,
    claim_token: null,
    last_status: null,
    last_error: null,
    delivered_at: null,
  }),
);

/** The order's earlier events that wait for a retry (or whose sender's lease ran out), in seq order. */
export function earlierWaiting(db: Db, orderNo: string, seq: number, now: number): Promise<CallbackEventRow[]> {
  return db
    .selectFrom('callback_events')
    .selectAll()
    .where('order_no', '=', orderNo)
    .where('seq', '<', seq)
    .where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]))
    .orderBy('seq')
    .execute();
}

/** True when an earlier event of the order is still undelivered. */
export async function hasEarlierUndelivered(db: Db, orderNo: string, seq: number): Promise<boolean> {
  const row = await db
    .selectFrom('callback_events')
    .select('id')
    .where('order_no', '=', orderNo)
    .where('seq', '<', seq)
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirst();
  return row !== undefined;
}

/** Claims an event for sending with a lease, by a conditional update on the state it was read in. */
export async function claimEvent(db: Db, event: CallbackEventRow, leaseUntil: number): Promise<boolean> {
  const res = await db
    .updateTable('callback_events')
    .set({ status: 'sending', lease_until: leaseUntil })
    .where('id', '=', event.id)
    .where('status', '=', event.status)
    .where((eb) => (event.lease_until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', event.lease_until)))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: number;
}

export async function insertDelivery(db: Db, d: DeliveryRecord): Promise<void> {
  await db
    .insertInto('callback_deliveries')
    .values({
      id: d.id,
      event_id: d.eventId,
      attempt: d.attempt,
      status_code: d.statusCode,
      error: d.error?.slice(0, 255) ?? null,
      duration_ms: d.durationMs,
      created_at: d.at,
    })
    .execute();
}

/** The outcome of one delivery attempt: delivered, dead, or pending again at `nextAttemptAt`. */
export type DeliveryOutcome = { status: 'delivered'; at: number } | { status: 'dead' } | { status: 'pending'; nextAttemptAt: number };

export async function recordOutcome(
  db: Db,
  eventId: string,
  attempt: number,
  statusCode: number | null,
  error: string | null,
  outcome: DeliveryOutcome,
): Promise<void> {
  const base = {
    attempts: attempt,
    last_status: statusCode,
    last_error: error?.slice(0, 255) ?? null,
    lease_until: null,
    claim_token: null,
  };
  const set =
    outcome.status === 'delivered'
      ? { ...base, status: 'delivered' as const, delivered_at: outcome.at }
      : outcome.status === 'dead'
        ? { ...base, status: 'dead' as const }
        : { ...base, status: 'pending' as const, next_attempt_at: outcome.nextAttemptAt };
  await db.updateTable('callback_events').set(set).where('id', '=', eventId).execute();
}

/** Puts a delivered or dead event back in the queue with a fresh schedule; false for one still queued. */
export async function requeueEvent(db: Db, eventId: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('callback_events')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null })
    .where('id', '=', eventId)
    .where('status', 'in', ['dead', 'delivered'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
