// Delivers due outbox events with Standard Webhooks signatures; retries on a growing schedule (≈ 24 h, then `dead`);
// safe with several instances (an event is claimed by a conditional update with a lease before it is sent).
import { webhookHeaders } from '@zf/shared/partner';
import { callbackSecrets } from '../session/partner-secrets.ts';
import type { Deps } from '../../deps.ts';
import type { CallbackEventRow } from './callback.table.ts';
import { newId } from '../../lib/ids.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { findPartner } from '../session/session.repository.ts';
import {
  claimEvent,
  dueEvents,
  earlierWaiting,
  hasEarlierUndelivered,
  insertDelivery,
  recordOutcome,
  requeueEvent,
} from './callback.repository.ts';
import { faultPoint } from '../../lib/fault.ts';
import { isCallbackAllowed, ownEndpoints, RETRY_SCHEDULE_MS } from './callback.service.ts';

const LEASE_MS = 60_000;
/**
 * How long an event waits behind an earlier undelivered event of its order: events go out in `seq` order while the
 * partner answers, but a partner failing one event gets the later ones at most this long after they were queued
 * (its retries go on beside them; `seq` and `final` let the partner order what it receives).
 */
export const CALLBACK_HOLD_BACK_MS = 30_000;

export interface DeliveryReport {
  delivered: number;
  failed: number;
  dead: number;
}

/**
 * Sends every due event once, oldest first: one order's events in `seq` order, except that an event held back by an
 * earlier undelivered one goes out anyway once it has waited CALLBACK_HOLD_BACK_MS — but right after one more try
 * of those earlier events (ahead of their schedule), so once a partner is back from an outage it gets each order's
 * events in seq order rather than whichever retry happens to fall due first.
 */
export async function deliverDueCallbacks(deps: Deps, limit = 50): Promise<DeliveryReport> {
  const { db, clock } = deps;
  const now = clock.now();
  const due = await dueEvents(db, now, limit);

  const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0 };
  const blockedOrders = new Set<string>();
  for (const event of due) {
    const heldBack = now < Number(event.created_at) + CALLBACK_HOLD_BACK_MS;
    if (heldBack && blockedOrders.has(event.order_no)) continue;
    if (heldBack && (await hasEarlierUndelivered(db, event.order_no, event.seq))) {
      blockedOrders.add(event.order_no);
      continue;
    }
    if (!heldBack) {
      for (const earlier of await earlierWaiting(db, event.order_no, event.seq, now)) {
        if (await claimEvent(db, earlier, now + LEASE_MS)) report[await deliverOne(deps, earlier)]++;
      }
    }
    if (!(await claimEvent(db, event, now + LEASE_MS))) continue;
    const outcome = await deliverOne(deps, event);
    report[outcome]++;
    if (outcome !== 'delivered' && heldBack) blockedOrders.add(event.order_no);
  }
  return report;
}

async function deliverOne(deps: Deps, event: CallbackEventRow): Promise<'delivered' | 'failed' | 'dead'> {
  const { db, clock, logger } = deps;
  const partner = await findPartner(db, event.partner_id);
  const hosts: string[] = partner ? (JSON.parse(partner.callback_hosts) as string[]) : [];
  const started = clock.now();
  let statusCode: number | null = null;
  let error: string | null = null;

  if (!partner || !isCallbackAllowed(event.url, hosts, ownEndpoints(deps.config))) {
    error = 'callback host not allowed';
  } else {
    const timestamp = Math.floor(started / 1000);
    try {
      const res = await deps.fetch(event.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'zhifu-wallet-callbacks/1',
          ...webhookHeaders(callbackSecrets(partner, started), event.id, timestamp, event.payload),
        },
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

  // Crash tests: the partner has the callback, we have not recorded it (it is sent again, same event_id).
  if (error === null) faultPoint(deps.config, `callback:sent:${event.event}`);
  const finished = clock.now();
  const attempt = Number(event.attempts) + 1;
  await insertDelivery(db, {
    id: newId('CD', finished),
    eventId: event.id,
    attempt,
    statusCode,
    error,
    durationMs: Math.max(0, finished - started),
    at: finished,
  });

  if (error === null) {
    await recordOutcome(db, event.id, attempt, statusCode, null, { status: 'delivered', at: finished });
    return 'delivered';
  }

  const delay = RETRY_SCHEDULE_MS[attempt - 1];
  const hostRefused = error === 'callback host not allowed';
  if (delay === undefined || hostRefused) {
    await recordOutcome(db, event.id, attempt, statusCode, error, { status: 'dead' });
    await raiseAlert(db, logger, {
      kind: 'CALLBACK_DEAD',
      dedupeKey: `CALLBACK_DEAD:${event.id}:${attempt}`,
      orderNo: event.order_no,
      detail: `callback ${event.event} #${event.seq} undeliverable: ${error}`,
      now: finished,
    });
    return 'dead';
  }
  logger.info({ event_id: event.id, order_no: event.order_no, attempt, error }, 'callback delivery failed; will retry');
  await recordOutcome(db, event.id, attempt, statusCode, error, { status: 'pending', nextAttemptAt: finished + delay });
  return 'failed';
}

/** Puts a delivered or dead event back in the queue with the same event_id and a fresh retry schedule (admin replay). */
export function replayCallback(deps: Deps, eventId: string): Promise<boolean> {
  return requeueEvent(deps.db, eventId, deps.clock.now());
}
