// Delivers due outbox events with Standard Webhooks signatures; retries on a growing schedule (≈ 24 h, then `dead`);
// safe with several instances (an event is claimed by a conditional update with a lease before it is sent).
import { webhookHeaders } from '@zf/shared/partner';
import type { Deps } from '../../deps.ts';
import type { CallbackEventRow } from '../../db/tables.ts';
import { newId } from '../../lib/ids.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { isCallbackAllowed, RETRY_SCHEDULE_MS } from './callback.service.ts';

const LEASE_MS = 60_000;

export interface DeliveryReport {
  delivered: number;
  failed: number;
  dead: number;
}

/** Sends every due event once (oldest first, one order's events strictly in `seq` order). */
export async function deliverDueCallbacks(deps: Deps, limit = 50): Promise<DeliveryReport> {
  const { db, clock } = deps;
  const now = clock.now();
  const due = await db
    .selectFrom('callback_events')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('seq')
    .limit(limit)
    .execute();

  const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0 };
  const blockedOrders = new Set<string>();
  for (const event of due) {
    if (blockedOrders.has(event.order_no)) continue;
    const earlier = await db
      .selectFrom('callback_events')
      .select('id')
      .where('order_no', '=', event.order_no)
      .where('seq', '<', event.seq)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    if (earlier) {
      blockedOrders.add(event.order_no);
      continue;
    }
    const claimed = await db
      .updateTable('callback_events')
      .set({ status: 'sending', lease_until: now + LEASE_MS })
      .where('id', '=', event.id)
      .where('status', '=', event.status)
      .where((eb) => (event.lease_until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', event.lease_until)))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const outcome = await deliverOne(deps, event);
    report[outcome]++;
    if (outcome !== 'delivered') blockedOrders.add(event.order_no);
  }
  return report;
}

async function deliverOne(deps: Deps, event: CallbackEventRow): Promise<'delivered' | 'failed' | 'dead'> {
  const { db, clock, logger } = deps;
  const partner = await db.selectFrom('partners').selectAll().where('id', '=', event.partner_id).executeTakeFirst();
  const hosts: string[] = partner ? (JSON.parse(partner.callback_hosts) as string[]) : [];
  const started = clock.now();
  let statusCode: number | null = null;
  let error: string | null = null;

  if (!partner || !isCallbackAllowed(event.url, hosts)) {
    error = 'callback host not allowed';
  } else {
    const timestamp = Math.floor(started / 1000);
    try {
      const res = await deps.fetch(event.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'zhifu-wallet-callbacks/1', ...webhookHeaders(partner.callback_secret, event.id, timestamp, event.payload) },
        body: event.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.config.callbackTimeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : 'network error';
    }
  }

  const finished = clock.now();
  const attempt = Number(event.attempts) + 1;
  await db
    .insertInto('callback_deliveries')
    .values({ id: newId('CD', finished), event_id: event.id, attempt, status_code: statusCode, error: error?.slice(0, 255) ?? null, duration_ms: Math.max(0, finished - started), created_at: finished })
    .execute();

  if (error === null) {
    await db.updateTable('callback_events').set({ status: 'delivered', attempts: attempt, last_status: statusCode, last_error: null, delivered_at: finished, lease_until: null }).where('id', '=', event.id).execute();
    return 'delivered';
  }

  const delay = RETRY_SCHEDULE_MS[attempt - 1];
  const hostRefused = error === 'callback host not allowed';
  if (delay === undefined || hostRefused) {
    await db.updateTable('callback_events').set({ status: 'dead', attempts: attempt, last_status: statusCode, last_error: error.slice(0, 255), lease_until: null }).where('id', '=', event.id).execute();
    await raiseAlert(db, logger, { kind: 'CALLBACK_DEAD', dedupeKey: `CALLBACK_DEAD:${event.id}:${attempt}`, orderNo: event.order_no, detail: `callback ${event.event} #${event.seq} undeliverable: ${error}`, now: finished });
    return 'dead';
  }
  logger.info({ event_id: event.id, order_no: event.order_no, attempt, error }, 'callback delivery failed; will retry');
  await db
    .updateTable('callback_events')
    .set({ status: 'pending', attempts: attempt, last_status: statusCode, last_error: error.slice(0, 255), next_attempt_at: finished + delay, lease_until: null })
    .where('id', '=', event.id)
    .execute();
  return 'failed';
}

/** Puts a delivered or dead event back in the queue with the same event_id and a fresh retry schedule (admin replay). */
export async function replayCallback(deps: Deps, eventId: string): Promise<boolean> {
  const res = await deps.db
    .updateTable('callback_events')
    .set({ status: 'pending', attempts: 0, next_attempt_at: deps.clock.now(), lease_until: null })
    .where('id', '=', eventId)
    .where('status', 'in', ['dead', 'delivered'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
