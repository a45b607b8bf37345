// Delivers due outbox events with Standard Webhooks signatures; retries on a growing schedule (≈ 24 h, then `dead`);
// safe with several instances: events are claimed in batches by one conditional update with a lease and a claim token
// (callback-batch.repository.ts), then sent concurrently (keep-alive connections), one order's events in seq order.
import { randomBytes } from 'node:crypto';
import { webhookHeaders } from '@zf/shared/partner';
import { callbackSecrets } from '../session/partner-secrets.ts';
import type { Deps } from '../../deps.ts';
import type { CallbackEventRow } from './callback.table.ts';
import { newId } from '../../lib/ids.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { findPartner } from '../session/session.repository.ts';
import { claimEvent, earlierWaiting, insertDelivery, recordOutcome, requeueEvent } from './callback.repository.ts';
import { claimBatch, deferEvents, dueBatch, recordDelivered, undeliveredSeqs, type Delivered } from './callback-batch.repository.ts';
import { faultPoint } from '../../lib/fault.ts';
import { postCallback } from './callback-send.ts';
import { probeDownEndpoints, RoundEndpoints, settleRound } from './callback-recovery.ts';
import { isCallbackAllowed, ownEndpoints, RETRY_SCHEDULE_MS } from './callback.service.ts';

const LEASE_MS = 60_000;
/** Events read and claimed per round, and orders sent to at once. */
export const CALLBACK_BATCH = 500;
export const CALLBACK_CONCURRENCY = 64;
/** One run of the job stops starting rounds after this many, or after this long (the next run goes on). */
const MAX_ROUNDS = 100;
const MAX_RUN_MS = 20_000;
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
 * Sends every due event, round after round until none is left: one order's events in `seq` order, except that an
 * event held back by an earlier undelivered one goes out anyway once it has waited CALLBACK_HOLD_BACK_MS.
 */
export async function deliverDueCallbacks(deps: Deps, limit = CALLBACK_BATCH): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0 };
  const started = Date.now();
  await probeDownEndpoints(deps.db, deps.clock.now());
  for (let round = 0; round < MAX_ROUNDS && Date.now() - started < MAX_RUN_MS; round++) {
    if ((await deliverRound(deps, limit, report)) === 0) break;
  }
  return report;
}

const heldBack = (e: CallbackEventRow, now: number) => now < Number(e.created_at) + CALLBACK_HOLD_BACK_MS;

/**
 * When a held-back event is worth looking at again: when the earlier event that holds it may go (rounded up to the
 * second, so that one statement defers many, and never before it: due events are read in (next_attempt_at, seq)
 * order, so the earlier one is always read with it), at the latest when its hold-back ends. Until then it stays out
 * of the due batches, where it would otherwise take the place of other orders' events round after round.
 */
function deferTo(until: Map<number, string[]>, e: CallbackEventRow, blockerDueAt: number, now: number): void {
  const at = Math.max(now, Math.min(Number(e.created_at) + CALLBACK_HOLD_BACK_MS, Math.ceil(blockerDueAt / 1000) * 1000));
  until.set(at, [...(until.get(at) ?? []), e.id]);
}

/**
 * One round: read the due events, keep per order those that may go now (defer the others), claim them, send them.
 * Returns how many were sent or deferred (0: nothing left to do now).
 */
async function deliverRound(deps: Deps, limit: number, report: DeliveryReport): Promise<number> {
  const { db, clock } = deps;
  const now = clock.now();
  const due = await dueBatch(db, now, limit);
  if (due.length === 0) return 0;
  const byOrder = new Map<string, CallbackEventRow[]>();
  for (const e of due) byOrder.set(e.order_no, [...(byOrder.get(e.order_no) ?? []), e]);
  const undelivered = await undeliveredSeqs(db, [...byOrder.keys()], now);
  // Per order, in seq order: a held-back event waits while an earlier one is undelivered and not in this round.
  const chains: CallbackEventRow[][] = [];
  /** Orders with undelivered events outside this round (pending, not due yet, or another sender's). */
  const waitingElsewhere = new Map<string, number[]>();
  const deferred = new Map<number, string[]>();
  for (const [orderNo, events] of byOrder) {
    events.sort((a, b) => Number(a.seq) - Number(b.seq));
    const here = new Set(events.map((e) => Number(e.seq)));
    const elsewhere = (undelivered.get(orderNo) ?? []).filter((u) => !here.has(u.seq));
    if (elsewhere.length)
      waitingElsewhere.set(
        orderNo,
        elsewhere.map((u) => u.seq),
      );
    const chain: CallbackEventRow[] = [];
    for (const e of events) {
      const blockers = heldBack(e, now) ? elsewhere.filter((u) => u.seq < Number(e.seq)) : [];
      if (blockers.length === 0) chain.push(e);
      else deferTo(deferred, e, Math.min(...blockers.map((u) => u.dueAt)), now);
    }
    if (chain.length) chains.push(chain);
  }
  await deferEvents(db, deferred, now, null);
  /** Events deferred (progress too: the next round reads the batch after them). */
  const moved = [...deferred.values()].reduce((n, ids) => n + ids.length, 0);
  const token = randomBytes(16).toString('hex');
  const won = await claimBatch(
    db,
    chains.flat().map((e) => e.id),
    now,
    now + LEASE_MS,
    token,
  );
  if (won.size === 0) return moved;

  const ctx: RoundContext = {
    partners: new Map(),
    own: ownEndpoints(deps.config),
    delivered: [],
    release: new Map(),
    retryAt: new Map(),
    endpoints: new RoundEndpoints(),
  };
  const queue = chains.filter((c) => c.some((e) => won.has(e.id)));
  let sent = 0;
  const worker = async () => {
    for (let chain = queue.shift(); chain; chain = queue.shift()) {
      // After an earlier event of the order failed (or went to another instance), held-back ones wait: until the
      // failed one's retry, or a second for one in another sender's hands.
      let blockedUntil: number | null = null;
      for (const event of chain) {
        if (!won.has(event.id)) {
          blockedUntil ??= now + 1000;
          continue;
        }
        if (blockedUntil !== null && heldBack(event, now)) {
          deferTo(ctx.release, event, blockedUntil, now);
          continue;
        }
        // Past its hold-back, an event first gives its order's earlier waiting events one more try (ahead of their
        // schedule, each claimed on its own), so a partner back from an outage gets each order's events in seq order.
        if (!heldBack(event, now) && waitingElsewhere.get(event.order_no)?.some((s) => s < Number(event.seq))) {
          for (const earlier of await earlierWaiting(db, event.order_no, event.seq, now)) {
            if (!(await claimEvent(db, earlier, now + LEASE_MS))) continue;
            const o = await deliverOne(deps, earlier, ctx, true);
            sent++;
            report[o]++;
          }
        }
        const outcome = await deliverOne(deps, event, ctx);
        sent++;
        if (outcome !== 'delivered') {
          report[outcome]++;
          blockedUntil ??= outcome === 'failed' ? (ctx.retryAt.get(event.id) ?? now) : now;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CALLBACK_CONCURRENCY, queue.length) }, worker));
  await recordDelivered(db, ctx.delivered, token, clock.now());
  report.delivered += ctx.delivered.length;
  await deferEvents(db, ctx.release, now, token);
  await settleRound(db, ctx.endpoints, clock.now());
  return sent + moved;
}

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

interface RoundContext {
  partners: Map<string, ReturnType<typeof partnerTargets>>;
  own: string[];
  /** Successes of the round, recorded together at its end. */
  delivered: Delivered[];
  /** Claimed events held back after all, by the time they are due again. */
  release: Map<number, string[]>;
  /** Next attempt times of the round's failed events. */
  retryAt: Map<string, number>;
  /** What each partner endpoint answered in this round (the outage rule, callback-recovery.ts). */
  endpoints: RoundEndpoints;
}

/** `single`: the event was claimed on its own (no claim token): its success is recorded at once, not with the round's. */
async function deliverOne(
  deps: Deps,
  event: CallbackEventRow,
  ctx: RoundContext,
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

/** Puts a delivered or dead event back in the queue with the same event_id and a fresh retry schedule (admin replay). */
export function replayCallback(deps: Deps, eventId: string): Promise<boolean> {
  return requeueEvent(deps.db, eventId, deps.clock.now());
}
