// The simulator's notify sender: a form POST to notify_url, re-signed with a fresh timestamp on every attempt,
// resent at 4 m, 4 m, 10 m, 10 m, 1 h, 2 h, 6 h, 15 h (× timeScale) until answered exactly `success`.
import type { Clock } from '../../src/lib/clock.ts';
import { GAT_NOTIFY_RESEND_DELAYS_MS, NOTIFY_ACK } from '../../src/providers/guanaitong/protocol.ts';

/** One notify attempt as the simulator saw it. */
export interface NotifyAttempt {
  tradeNo: string;
  outerTradeNo: string;
  /** 1 for the first send; resends count on. `replay` attempts count too. */
  attempt: number;
  /** Clock time of the attempt (ms). */
  at: number;
  url: string;
  form: Readonly<Record<string, string>>;
  /** acknowledged: answered `success`; rejected: answered anything else; error: no answer; dropped: never sent. */
  outcome: 'acknowledged' | 'rejected' | 'error' | 'dropped';
  status: number | null;
  body: string | null;
  error: string | null;
}

/** A notify to deliver: where, and how to build its (freshly signed) form at send time. */
export interface NotifyJob {
  tradeNo: string;
  outerTradeNo: string;
  url: string;
  buildForm(): Record<string, string>;
}

interface JobState {
  job: NotifyJob;
  attempts: number;
  /** Scheduled resends made so far (the first send is not one). */
  resends: number;
  delivered: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Options of the {@link Notifier}. */
export interface NotifierOptions {
  clock: Clock;
  /** Resend delays are multiplied by this; 1 is real time, 0.0001 turns 15 h into 5.4 s. */
  timeScale: number;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** Sends notifies and keeps their log; one per trade, resent on the documented schedule until acknowledged. */
export class Notifier {
  /** Every attempt, in order. */
  readonly log: NotifyAttempt[] = [];
  /** When true, attempts are lost in transit (logged as `dropped`, and resent on schedule). */
  dropNotifies = false;
  private readonly jobs = new Map<string, JobState>();
  private busy = 0;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly opts: NotifierOptions) {}

  /** Sends the first notify now and keeps resending until acknowledged or the schedule runs out. */
  start(job: NotifyJob): void {
    if (this.jobs.has(job.tradeNo) || this.stopped) return;
    const state: JobState = { job, attempts: 0, resends: 0, delivered: false, timer: null };
    this.jobs.set(job.tradeNo, state);
    void this.tracked(this.attemptAndSchedule(state));
  }

  /** One extra attempt now (like an operator's manual resend), outside the schedule. */
  async replay(tradeNo: string): Promise<NotifyAttempt | null> {
    const state = this.jobs.get(tradeNo);
    return state ? this.tracked(this.attempt(state)) : null;
  }

  /** Whether the trade's notify has been answered `success`. */
  delivered(tradeNo: string): boolean {
    return this.jobs.get(tradeNo)?.delivered ?? false;
  }

  /** Resolves when no attempt is in flight and no resend is scheduled. */
  idle(): Promise<void> {
    return this.busy === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Cancels every scheduled resend; nothing is scheduled afterwards. */
  stop(): void {
    this.stopped = true;
    for (const state of this.jobs.values()) {
      if (state.timer) {
        clearTimeout(state.timer);
        state.timer = null;
        this.leave();
      }
    }
  }

  private async attemptAndSchedule(state: JobState): Promise<void> {
    const result = await this.attempt(state);
    if (result.outcome === 'acknowledged' || state.delivered || this.stopped) return;
    const delay = GAT_NOTIFY_RESEND_DELAYS_MS[state.resends];
    if (delay === undefined) return; // schedule exhausted: Guanaitong gives up after 24 h
    state.resends += 1;
    this.busy += 1;
    state.timer = setTimeout(() => {
      state.timer = null;
      void this.tracked(this.attemptAndSchedule(state)).finally(() => this.leave());
    }, delay * this.opts.timeScale);
    state.timer.unref();
  }

  private async attempt(state: JobState): Promise<NotifyAttempt> {
    state.attempts += 1;
    const form = state.job.buildForm();
    const base = {
      tradeNo: state.job.tradeNo,
      outerTradeNo: state.job.outerTradeNo,
      attempt: state.attempts,
      at: this.opts.clock.now(),
      url: state.job.url,
      form,
    };
    let entry: NotifyAttempt;
    if (this.dropNotifies) {
      entry = { ...base, outcome: 'dropped', status: null, body: null, error: null };
    } else {
      try {
        const res = await this.opts.fetch(state.job.url, {
          method: 'POST',
          body: new URLSearchParams(form),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        const body = await res.text();
        // Seed 001: anything but exactly `success` is a failed notify.
        const outcome = body === NOTIFY_ACK ? 'acknowledged' : 'rejected';
        entry = { ...base, outcome, status: res.status, body, error: null };
      } catch (err) {
        entry = { ...base, outcome: 'error', status: null, body: null, error: err instanceof Error ? err.message : String(err) };
      }
    }
    if (entry.outcome === 'acknowledged' && !state.delivered) {
      state.delivered = true;
      if (state.timer) {
        clearTimeout(state.timer);
        state.timer = null;
        this.leave();
      }
    }
    this.log.push(entry);
    return entry;
  }

  private async tracked<T>(work: Promise<T>): Promise<T> {
    this.busy += 1;
    try {
      return await work;
    } finally {
      this.leave();
    }
  }

  private leave(): void {
    this.busy -= 1;
    if (this.busy === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
