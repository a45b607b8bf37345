// Delivers due outbox events with Standard Webhooks signatures; retries on a growing schedule (≈ 24 h, then `dead`);
// safe with several instances: events are claimed in batches by one conditional update with a lease and a claim token
// (callback-batch.repository.ts), then sent by a bounded pool of workers (keep-alive connections), one order's events
// in seq order. The pool is continuous: a worker takes the next order's chain as soon as its own is done, and the
// claims are topped up while the ready chains drain (no round waits for its slowest chain).
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import type { CallbackEventRow } from './callback.table.ts';
import { claimEvent, earlierWaiting, requeueEvent } from './callback.repository.ts';
import { claimBatch, deferEvents, dueBatch, recordDelivered, undeliveredSeqs, type Delivered } from './callback-batch.repository.ts';
import { probeDownEndpoints, RoundEndpoints, settleRound } from './callback-recovery.ts';
import { ownEndpoints } from './callback.service.ts';
import { deliverOne, type SendContext } from './callback-deliver.ts';

const LEASE_MS = 60_000;
/** An event is sent only while its lease outlasts the callback timeout by this much. */
const LEASE_MARGIN_MS = 5_000;
/** Events read and claimed per batch, and workers sending at once (each one order's chain at a time). */
export const CALLBACK_BATCH = 500;
export const CALLBACK_CONCURRENCY = 64;
/** One run of the job stops claiming after this many batches, or after this long (the next run goes on). */
const MAX_BATCHES = 100;
const MAX_RUN_MS = 20_000;
/** Successes recorded at the latest every this many (and when their batch is done). */
const RECORD_EVERY = 200;
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

/** The events of one claim: its token, what its endpoints answered, its successes and held-back events. */
interface Batch {
  token: string;
  endpoints: RoundEndpoints;
  delivered: Delivered[];
  /** Claimed events held back after all, by the time they are due again. */
  release: Map<number, string[]>;
  /** Claimed events not finished yet; at 0 the batch is recorded and its endpoints judged (the outage rule). */
  open: number;
  leaseUntil: number;
}

interface Entry {
  event: CallbackEventRow;
  batch: Batch;
  /** Read with the others but claimed by another instance: the order's later held-back events wait. */
  lost: boolean;
  /** An earlier event of the order was undelivered outside this run when it was read. */
  earlierElsewhere: boolean;
}

/** One order's claimed events in seq order, sent by one worker at a time; later batches append to it while it lives. */
interface Chain {
  orderNo: string;
  entries: Entry[];
  blockedUntil: number | null;
}

const heldBack = (e: CallbackEventRow, now: number) => now < Number(e.created_at) + CALLBACK_HOLD_BACK_MS;

/**
 * When a held-back event is worth looking at again: when the earlier event that holds it may go (rounded up to the
 * second, so that one statement defers many, and never before it: due events are read in (next_attempt_at, seq)
 * order, so the earlier one is always read with it), at the latest when its hold-back ends. Until then it stays out
 * of the due batches, where it would otherwise take the place of other orders' events batch after batch.
 */
function deferTo(until: Map<number, string[]>, e: CallbackEventRow, blockerDueAt: number, now: number): void {
  const at = Math.max(now, Math.min(Number(e.created_at) + CALLBACK_HOLD_BACK_MS, Math.ceil(blockerDueAt / 1000) * 1000));
  until.set(at, [...(until.get(at) ?? []), e.id]);
}

/**
 * Sends every due event until none is left (or the run's bounds): one order's events in `seq` order, except that an
 * event held back by an earlier undelivered one goes out anyway once it has waited CALLBACK_HOLD_BACK_MS.
 */
export async function deliverDueCallbacks(deps: Deps, limit = CALLBACK_BATCH): Promise<DeliveryReport> {
  await probeDownEndpoints(deps.db, deps.clock.now());
  const run = new PoolRun(deps, limit);
  await Promise.all(Array.from({ length: CALLBACK_CONCURRENCY }, () => run.worker()));
  if (run.failure) throw run.failure;
  return run.report;
}

class PoolRun {
  readonly report: DeliveryReport = { delivered: 0, failed: 0, dead: 0 };
  failure: unknown = null;
  private readonly started = Date.now();
  private readonly ready: Chain[] = [];
  /** Orders with a live chain in this run (queued or being sent). */
  private readonly active = new Map<string, Chain>();
  /** Per order, the seqs this run claimed and has not finished or recorded: not blockers of its later events. */
  private readonly mine = new Map<string, Set<number>>();
  private readonly shared: Pick<SendContext, 'partners' | 'own' | 'retryAt'>;
  private refilling: Promise<void> | null = null;
  /** Idle workers, woken when a chain or a batch is done. */
  private waiting: Array<() => void> = [];
  private batches = 0;
  private dry = false;
  /** Counts the batches that made events due again (pulled forward, released). */
  private madeDue = 0;

  constructor(
    private readonly deps: Deps,
    private readonly limit: number,
  ) {
    this.shared = { partners: new Map(), own: ownEndpoints(deps.config), retryAt: new Map() };
  }

  private canRefill(): boolean {
    return !this.dry && this.failure === null && this.batches < MAX_BATCHES && Date.now() - this.started < MAX_RUN_MS;
  }

  /** Tops the claims up (one refill at a time); a failure stops the run's claiming and is thrown at its end. */
  private refill(): Promise<void> {
    this.refilling ??= this.claimNext()
      .catch((err: unknown) => void (this.failure ??= err))
      .finally(() => (this.refilling = null));
    return this.refilling;
  }

  async worker(): Promise<void> {
    for (;;) {
      const chain = this.ready.shift();
      if (!chain) {
        if (this.refilling) await this.refilling;
        else if (this.canRefill()) await this.refill();
        // Chains still being sent may make more due (a batch's outage rule pulls its orders forward): wait for them.
        else if (this.active.size > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
        else return;
        continue;
      }
      if (this.ready.length < CALLBACK_CONCURRENCY && this.canRefill()) void this.refill();
      try {
        await this.send(chain);
      } catch (err) {
        this.failure ??= err;
        this.dry = true;
      }
    }
  }

  /**
   * Reads the next due events, keeps per order those that may go now (defers the others), claims them and hands them
   * to the chains: appended to the order's live chain, or a new chain queued for the pool.
   */
  private async claimNext(): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    // A batch done meanwhile may make more due (after this claim read): then an empty read does not end the claiming.
    const seen = this.madeDue;
    const due = await dueBatch(db, now, this.limit);
    this.batches++;
    if (due.length === 0) return void (this.dry = seen === this.madeDue);
    const byOrder = new Map<string, CallbackEventRow[]>();
    for (const e of due) byOrder.set(e.order_no, [...(byOrder.get(e.order_no) ?? []), e]);
    const undelivered = await undeliveredSeqs(db, [...byOrder.keys()], now);
    const picked: Array<{ orderNo: string; events: Array<{ event: CallbackEventRow; earlierElsewhere: boolean }> }> = [];
    const deferred = new Map<number, string[]>();
    for (const [orderNo, events] of byOrder) {
      events.sort((a, b) => Number(a.seq) - Number(b.seq));
      const here = new Set(events.map((e) => Number(e.seq)));
      const mine = this.mine.get(orderNo);
      // Undelivered outside this batch and not in this run's hands (those go first in the order's chain).
      const elsewhere = (undelivered.get(orderNo) ?? []).filter((u) => !here.has(u.seq) && !mine?.has(u.seq));
      const keep: Array<{ event: CallbackEventRow; earlierElsewhere: boolean }> = [];
      for (const e of events) {
        const earlier = elsewhere.filter((u) => u.seq < Number(e.seq));
        if (earlier.length && heldBack(e, now)) deferTo(deferred, e, Math.min(...earlier.map((u) => u.dueAt)), now);
        else keep.push({ event: e, earlierElsewhere: earlier.length > 0 });
      }
      if (keep.length) picked.push({ orderNo, events: keep });
    }
    await deferEvents(db, deferred, now, null);
    const token = randomBytes(16).toString('hex');
    const won = await claimBatch(
      db,
      picked.flatMap((p) => p.events.map((e) => e.event.id)),
      now,
      now + LEASE_MS,
      token,
    );
    // Nothing claimed and nothing deferred: nothing left to do now (another instance has the rest).
    if (won.size === 0 && deferred.size === 0) return void (this.dry = seen === this.madeDue);
    const batch: Batch = {
      token,
      endpoints: new RoundEndpoints(),
      delivered: [],
      release: new Map(),
      open: won.size,
      leaseUntil: now + LEASE_MS,
    };
    for (const { orderNo, events } of picked) {
      if (!events.some((e) => won.has(e.event.id))) continue;
      const entries = events.map((e) => ({ ...e, batch, lost: !won.has(e.event.id) }));
      let seqs = this.mine.get(orderNo);
      if (!seqs) this.mine.set(orderNo, (seqs = new Set()));
      for (const e of entries) if (!e.lost) seqs.add(Number(e.event.seq));
      const live = this.active.get(orderNo);
      if (live) {
        live.entries.push(...entries);
        live.entries.sort((a, b) => Number(a.event.seq) - Number(b.event.seq));
      } else {
        const chain: Chain = { orderNo, entries, blockedUntil: null };
        this.active.set(orderNo, chain);
        this.ready.push(chain);
      }
    }
  }

  /** Sends one order's chain, and whatever later batches append to it meanwhile, in seq order. */
  private async send(chain: Chain): Promise<void> {
    const { db, clock } = this.deps;
    for (let entry = chain.entries.shift(); entry; entry = chain.entries.shift()) {
      const { event, batch } = entry;
      const now = clock.now();
      // After an earlier event of the order failed (or went to another instance), held-back ones wait: until the
      // failed one's retry, or a second for one in another sender's hands.
      if (entry.lost) {
        chain.blockedUntil ??= now + 1000;
        continue;
      }
      const ctx: SendContext = { ...this.shared, delivered: batch.delivered, endpoints: batch.endpoints };
      // A slow partner: an event whose lease could lapse before its answer goes back to the queue unsent.
      const late = now + this.deps.config.callbackTimeoutMs + LEASE_MARGIN_MS > batch.leaseUntil;
      if (late || (chain.blockedUntil !== null && heldBack(event, now))) {
        if (late) chain.blockedUntil ??= now;
        deferTo(batch.release, event, chain.blockedUntil ?? now, now);
        this.forget(event);
        await this.finish(batch);
        continue;
      }
      // Past its hold-back, an event first gives its order's earlier waiting events one more try (ahead of their
      // schedule, each claimed on its own), so a partner back from an outage gets each order's events in seq order.
      if (entry.earlierElsewhere && !heldBack(event, now)) {
        for (const earlier of await earlierWaiting(db, event.order_no, event.seq, now)) {
          if (!(await claimEvent(db, earlier, now + LEASE_MS))) continue;
          this.report[await deliverOne(this.deps, earlier, ctx, true)]++;
        }
      }
      const outcome = await deliverOne(this.deps, event, ctx);
      if (outcome !== 'delivered') {
        this.report[outcome]++;
        this.forget(event);
        chain.blockedUntil ??= outcome === 'failed' ? (this.shared.retryAt.get(event.id) ?? now) : now;
      }
      if (batch.delivered.length >= RECORD_EVERY) await this.record(batch);
      await this.finish(batch);
    }
    this.active.delete(chain.orderNo);
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private forget(event: Pick<CallbackEventRow, 'order_no' | 'seq'>): void {
    const seqs = this.mine.get(event.order_no);
    seqs?.delete(Number(event.seq));
    if (seqs?.size === 0) this.mine.delete(event.order_no);
  }

  /** Records the batch's successes so far (one insert + one update per status code and ≤ 200 events). */
  private async record(batch: Batch): Promise<void> {
    const done = batch.delivered.splice(0);
    if (done.length === 0) return;
    if ((await recordDelivered(this.deps.db, done, batch.token, this.deps.clock.now())) > 0) this.madeMoreDue();
    this.report.delivered += done.length;
    for (const d of done) this.forget(d.event);
  }

  /** One claimed event of the batch is done; the last one records the batch and judges its endpoints. */
  private async finish(batch: Batch): Promise<void> {
    if (--batch.open > 0) return;
    const now = this.deps.clock.now();
    await this.record(batch);
    await deferEvents(this.deps.db, batch.release, now, batch.token);
    if ((await settleRound(this.deps.db, batch.endpoints, now)) > 0 || batch.release.size > 0) this.madeMoreDue();
    this.wake();
  }

  /** Events made due again (pulled forward, released, later ones of orders just recorded): a further claim reads them. */
  private madeMoreDue(): void {
    this.madeDue++;
    this.dry = false;
  }
}

/** Puts a delivered or dead event back in the queue with the same event_id and a fresh retry schedule (admin replay). */
export function replayCallback(deps: Deps, eventId: string): Promise<boolean> {
  return requeueEvent(deps.db, eventId, deps.clock.now());
}
