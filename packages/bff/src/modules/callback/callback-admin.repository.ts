// The console's view of the callback outbox: the delivery log per partner and per order, dead events; `db` first.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CallbackDeliveryTable, CallbackEventRow } from './callback.table.ts';

export type DeliveryRow = Selectable<CallbackDeliveryTable>;

export interface EventFilter {
  partnerId?: string;
  status?: CallbackEventRow['status'];
  orderNo?: string;
}

export async function listEvents(
  db: Db,
  f: EventFilter,
  limit: number,
  offset: number,
): Promise<{ rows: CallbackEventRow[]; total: number }> {
  let q = db.selectFrom('callback_events');
  if (f.partnerId) q = q.where('partner_id', '=', f.partnerId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.orderNo) q = q.where('order_no', '=', f.orderNo);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('seq', 'desc').limit(limit).offset(offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}

export function findEvent(db: Db, id: string): Promise<CallbackEventRow | undefined> {
  return db.selectFrom('callback_events').selectAll().where('id', '=', id).executeTakeFirst();
}

export function eventsOfOrder(db: Db, orderNo: string): Promise<CallbackEventRow[]> {
  return db.selectFrom('callback_events').selectAll().where('order_no', '=', orderNo).orderBy('seq').execute();
}

export function deadEventsOfPartner(db: Db, partnerId: string, limit = 500): Promise<CallbackEventRow[]> {
  return db
    .selectFrom('callback_events')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'dead')
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

export async function deliveriesOf(db: Db, eventIds: string[]): Promise<DeliveryRow[]> {
  if (eventIds.length === 0) return [];
  return db
    .selectFrom('callback_deliveries')
    .selectAll()
    .where('event_id', 'in', eventIds)
    .orderBy('created_at')
    .orderBy('attempt')
    .execute();
}

export async function deadEventCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('callback_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
