// One delivery attempt of a claimed outbox event (the dispatcher's pool, callback.worker.ts, calls it): the Standard
// Webhooks signature, the POST, and its record — a success is collected for the batch's one insert + update, a failure
// goes on the retry schedule (≈ 24 h, then `dead` with an alert) at once.
import { webhookHeaders } from '@zf/shared/partner';
import { callbackSecrets } from '../session/partner-secrets.ts';
import type { Deps } from '../../deps.ts';
import type { CallbackEventRow } from './callback.table.ts';
import { newId } from '../../lib/ids.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { findPartner } from '../session/session.repository.ts';
import { insertDelivery, recordOutcome } from './callback.repository.ts';
import type { Delivered } from './callback-batch.repository.ts';
import { faultPoint } from '../../lib/fault.ts';
import { postCallback } from './callback-send.ts';
import type { RoundEndpoints } from './callback-recovery.ts';
import { isCallbackAllowed, RETRY_SCHEDULE_MS } from './callback.service.ts';

/** A partner of the round, and its callback URLs checked against its allow-list once each (null: not allowed). */
async function partnerTargets(db: Deps['db'], partnerId: string, own: string[]) {
  const partner = await findPartner(db, partnerId);
  const hosts: string[] = partner ? (JSON.parse(partner.callback_hosts) as string[]) : [];
  const checked = new Map<string, URL | null>();
  const target = (url: string): URL | null => {
    let t = checked.get(url);
    if (t === undefined) checked.set(url, (t = isCallbackAllowed(url, hosts, own) ? new URL(url) : null));
    return t;
  };
  return { partner, target };
}

export interface SendContext {
  /** The partners of the run, looked up once each. */
  partners: Map<string, ReturnType<typeof partnerTargets>>;
  own: string[];
  /** Successes of the event's batch, recorded together (callback-batch.repository.ts `recordDelivered`). */
  delivered: Delivered[];
  /** Next attempt times of the run's failed events. */
  retryAt: Map<string, number>;
  /** What each partner endpoint answered to the event's batch (the outage rule, callback-recovery.ts). */
  endpoints: RoundEndpoints;
}

/** `single`: the event was claimed on its own (no claim token): its success is recorded at once, not with the round's. */
export async function deliverOne(
  deps: Deps,
  event: CallbackEventRow,
  ctx: SendContext,
  single = false,
): Promise<'delivered' | 'failed' | 'dead'> {
  const { db, clock, logger } = deps;
  let lookup = ctx.partners.get(event.partner_id);
  if (!lookup) ctx.partners.set(event.partner_id, (lookup = partnerTargets(db, event.partner_id, ctx.own)));
  const { partner, target } = await lookup;
  const started = clock.now();
  let statusCode: number | null = null;
  let error: string | null = null;

  const url = partner ? target(event.url) : null;
  if (!partner || !url) {
    error = 'callback host not allowed';
  } else {
    const timestamp = Math.floor(started / 1000);
    try {
      statusCode = await postCallback(
        deps,
        url,
        {
          'content-type': 'application/json',
          'user-agent': 'zhifu-wallet-callbacks/1',
          ...webhookHeaders(callbackSecrets(partner, started), event.id, timestamp, event.payload),
        },
        event.payload,
        deps.config.callbackTimeoutMs,
      );
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : 'network error';
    }
    ctx.endpoints.attempted(event.url, event.id, event.order_no, statusCode, error === null);
  }

  // Crash tests: the partner has the callback, we have not recorded it (it is sent again, same event_id).
  if (error === null) faultPoint(deps.config, `callback:sent:${event.event}`);
  const finished = clock.now();
  const durationMs = Math.max(0, finished - started);
  if (error === null && statusCode !== null && !single) {
    ctx.delivered.push({ event, deliveryId: newId('CD', finished), statusCode, durationMs, at: finished });
    return 'delivered';
  }
  const attempt = Number(event.attempts) + 1;
  await insertDelivery(db, { id: newId('CD', finished), eventId: event.id, attempt, statusCode, error, durationMs, at: finished });
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
  ctx.retryAt.set(event.id, finished + delay);
  await recordOutcome(db, event.id, attempt, statusCode, error, { status: 'pending', nextAttemptAt: finished + delay });
  return 'failed';
}
