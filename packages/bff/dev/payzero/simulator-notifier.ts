// The simulator's side of §3: POST signed status notifies, count only an "OK" body as delivered, resend at 1 m, 5 m,
// 10 m, 1 h and 6 h after the first send (times multiplied by the simulator's timeScale).
import type { Clock } from '../../src/lib/clock.ts';
import { NOTIFY_ACK, NOTIFY_RESEND_OFFSETS_MS, type PayzeroNotifyBody } from '../../src/providers/payzero/protocol.ts';
import { payzeroNotifySign } from '../../src/providers/payzero/sign.ts';

/** One delivery attempt (or a notify that was never sent), as the simulator's `notifyLog` shows it. */
export interface NotifyAttempt {
  mchtOrderNo: string;
  msgType: string;
  /** 0 for the first send, 1–5 for the resends. */
  attempt: number;
  url: string | null;
  /** Planned time after the first send, already scaled (0, 60 000 × timeScale, …). */
  plannedOffsetMs: number;
  /** Real time since the first send. */
  elapsedMs: number;
  /** The signed `timestamp` of this attempt (the simulator's clock). */
  timestamp: string;
  /**
   * `pending`: in flight; `ok`: answered "OK"; `not_ok`: answered something else; `error`: no answer (refused,
   * 5 s timeout);
   * `dropped`: not sent because of `dropNotifies(true)`; `no_url`: neither the order nor the config has a notify URL.
   */
  outcome: 'pending' | 'ok' | 'not_ok' | 'error' | 'dropped' | 'no_url';
  httpStatus?: number;
  answer?: string;
  error?: string;
  /** The exact request body sent (for signature checks in tests). */
  body?: PayzeroNotifyBody;
}

/** What the notifier needs from the simulator. */
export interface NotifierDeps {
  signToken: string;
  clock: Clock;
  timeScale: number;
  timeoutMs: number;
  fetch: typeof fetch;
  /** Schedules on the simulator's timer set (cleared by `close()`). */
  schedule: (ms: number, fn: () => void) => void;
  /** Aborted by `close()`. */
  closed: AbortSignal;
  isDropping: () => boolean;
  onError: (err: unknown) => void;
}

/** Sends notifies with the documented resend schedule and keeps the log. */
export class Notifier {
  readonly log: NotifyAttempt[] = [];

  constructor(private readonly deps: NotifierDeps) {}

  /** Starts delivering one message: the first send now, resends until "OK" or the schedule runs out. */
  deliver(mchtOrderNo: string, msgType: string, msgBody: string, url: string | null): void {
    const base = { mchtOrderNo, msgType, url, timestamp: String(this.deps.clock.now()) };
    if (url === null) {
      this.log.push({ ...base, attempt: 0, plannedOffsetMs: 0, elapsedMs: 0, outcome: 'no_url' });
      return;
    }
    if (this.deps.isDropping()) {
      this.log.push({ ...base, attempt: 0, plannedOffsetMs: 0, elapsedMs: 0, outcome: 'dropped' });
      return;
    }
    const firstSentAt = performance.now();
    const run = (attempt: number): void => {
      this.attempt(mchtOrderNo, msgType, msgBody, url, attempt, firstSentAt).then(
        (delivered) => {
          const offset = NOTIFY_RESEND_OFFSETS_MS[attempt];
          if (delivered || offset === undefined) return;
          const plannedAt = offset * this.deps.timeScale;
          this.deps.schedule(Math.max(0, plannedAt - (performance.now() - firstSentAt)), () => run(attempt + 1));
        },
        (err: unknown) => this.deps.onError(err),
      );
    };
    run(0);
  }

  private async attempt(
    mchtOrderNo: string,
    msgType: string,
    msgBody: string,
    url: string,
    attempt: number,
    firstSentAt: number,
  ): Promise<boolean> {
    const timestamp = String(this.deps.clock.now());
    const body: PayzeroNotifyBody = {
      timestamp,
      msgType,
      msgBody,
      sign: payzeroNotifySign(this.deps.signToken, timestamp, msgBody),
    };
    const prior = NOTIFY_RESEND_OFFSETS_MS[attempt - 1];
    const entry: NotifyAttempt = {
      mchtOrderNo,
      msgType,
      attempt,
      url,
      plannedOffsetMs: prior === undefined ? 0 : prior * this.deps.timeScale,
      elapsedMs: performance.now() - firstSentAt,
      timestamp,
      outcome: 'pending',
      body,
    };
    this.log.push(entry);
    try {
      const res = await this.deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(this.deps.timeoutMs), this.deps.closed]),
      });
      const answer = await res.text();
      entry.httpStatus = res.status;
      entry.answer = answer.slice(0, 200);
      entry.outcome = answer === NOTIFY_ACK ? 'ok' : 'not_ok';
    } catch (err) {
      entry.outcome = 'error';
      entry.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    return entry.outcome === 'ok';
  }
}
