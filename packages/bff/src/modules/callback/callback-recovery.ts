// The outage rule of the dispatcher (issue 11): a partner endpoint that answered nothing (network error, timeout, 5xx)
// to OUTAGE_MIN_FAILURES or more events of a round before its first 2xx of the round (or without one) was "down"; those
// events wait in this instance's outage book (and go again at once when the round also saw a 2xx: the partner came
// back during the round). While it is down with
// a backlog (PROBE_MIN_BOOKED events or more), one of them is retried every CALLBACK_PROBE_MS (a probe, ahead of its
// schedule; a few failed events just keep their schedule); the first 2xx from that endpoint — a probe's or any other
// event's — brings the retries of the booked events' orders forward to now, so a backlog drains as soon as the partner
// is back instead of at each event's own retry time (15 s and more after its failure).
// Safe by construction: a pull-forward is one conditional UPDATE of `next_attempt_at` on rows still `pending` (the
// claim rules, seq order and hold-back apply as to any due event), and only for events with fewer than
// RECOVERY_MAX_ATTEMPTS attempts, so a flapping partner cannot burn an event's whole ≈ 24 h schedule: later attempts
// keep theirs. A failure after the endpoint's first 2xx of the round, or one of fewer than OUTAGE_MIN_FAILURES, is the
// event's own (a poison event) and keeps its schedule. The book is per instance and in memory (lost on restart: then the schedule applies).
import type { Db } from '../../db/database.ts';
import { pullForward } from './callback-batch.repository.ts';

/** How often one booked event of a down endpoint is retried ahead of its schedule. */
export const CALLBACK_PROBE_MS = 2_000;
/** Failures without an answer (or 5xx) before an endpoint's first 2xx in a round that make it count as down. */
export const OUTAGE_MIN_FAILURES = 3;
/** A down endpoint is probed only with at least this many events waiting for it. */
export const PROBE_MIN_BOOKED = 50;
/** Events with this many attempts or more keep their retry schedule. */
export const RECOVERY_MAX_ATTEMPTS = 4;
const MAX_BOOKED_PER_ENDPOINT = 50_000;
const MAX_ENDPOINTS = 1_000;

interface Outage {
  /** Events that failed while the endpoint was down (id → order), oldest first (a Map keeps the first insertion's place). */
  ids: Map<string, string>;
  lastProbe: number;
}

interface Seen {
  ok: number;
  /** Events that failed without an answer or with 5xx before the endpoint's first 2xx of the round. */
  down: Array<[id: string, orderNo: string]>;
  /** The orders of events that failed so after it (the tail of an outage when the endpoint was down; else their own). */
  after: string[];
}

/** What one round saw of each endpoint (origin): 2xx answers, and events that failed without an answer or with 5xx. */
export class RoundEndpoints {
  private readonly seen = new Map<string, Seen>();
  private readonly origins = new Map<string, string>();

  origin(url: string): string {
    let o = this.origins.get(url);
    if (o === undefined) {
      try {
        o = new URL(url).origin;
      } catch {
        o = url;
      }
      this.origins.set(url, o);
    }
    return o;
  }

  private entry(url: string): Seen {
    const key = this.origin(url);
    let e = this.seen.get(key);
    if (!e) this.seen.set(key, (e = { ok: 0, down: [], after: [] }));
    return e;
  }

  /** One attempt, as its answer arrives: a 2xx (`ok`), or a failure (`statusCode` null for no answer / timeout). */
  attempted(url: string, eventId: string, orderNo: string, statusCode: number | null, ok: boolean): void {
    const e = this.entry(url);
    if (ok) e.ok++;
    else if (statusCode === null || statusCode >= 500) {
      if (e.ok === 0) e.down.push([eventId, orderNo]);
      else e.after.push(orderNo);
    }
  }

  entries(): IterableIterator<[string, Seen]> {
    return this.seen.entries();
  }
}

const books = new WeakMap<Db, Map<string, Outage>>();
const bookOf = (db: Db) => {
  let b = books.get(db);
  if (!b) books.set(db, (b = new Map()));
  return b;
};

/** After a round: endpoints that answered 2xx get their booked events pulled forward; the others' failures are booked. */
export async function settleRound(db: Db, round: RoundEndpoints, now: number): Promise<number> {
  const book = bookOf(db);
  let pulled = 0;
  for (const [origin, seen] of round.entries()) {
    let outage = book.get(origin);
    // An endpoint already down books every failure without an answer, however few in the round (the last events
    // before it comes back: left to their own schedule, they alone would keep the drain waiting 15 s).
    if ((outage && seen.down.length > 0) || (seen.down.length >= OUTAGE_MIN_FAILURES && book.size < MAX_ENDPOINTS)) {
      if (!outage) book.set(origin, (outage = { ids: new Map<string, string>(), lastProbe: now }));
      for (const [id, orderNo] of seen.down) if (outage.ids.size < MAX_BOOKED_PER_ENDPOINT) outage.ids.set(id, orderNo);
    }
    if (seen.ok > 0 && outage) {
      book.delete(origin);
      // By order: the booked events and the later events of their orders deferred behind them, and the events this
      // round failed after the first 2xx (answers of the outage still arriving beside the first of the recovery).
      const orders = new Set([...outage.ids.values(), ...seen.after]);
      pulled += await pullForward(db, 'order_no', [...orders], now, RECOVERY_MAX_ATTEMPTS);
    }
  }
  return pulled;
}

/** Before a run: for each down endpoint with a backlog, not probed for CALLBACK_PROBE_MS, one booked event is made due now. */
export async function probeDownEndpoints(db: Db, now: number): Promise<void> {
  for (const [origin, outage] of bookOf(db)) {
    if (outage.ids.size < PROBE_MIN_BOOKED || now - outage.lastProbe < CALLBACK_PROBE_MS) continue;
    outage.lastProbe = now;
    // The oldest booked event still waiting (delivered, dead or past the attempt cap ones drop out).
    for (const id of outage.ids.keys()) {
      if ((await pullForward(db, 'id', [id], now, RECOVERY_MAX_ATTEMPTS)) === 1) break;
      outage.ids.delete(id);
    }
    if (outage.ids.size === 0) bookOf(db).delete(origin);
  }
}
