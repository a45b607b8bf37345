// autocannon as a library: one measured run, its rate over the real elapsed time, latency percentiles, statuses.
import autocannon, { type Request as CannonRequest } from 'autocannon';

export interface Measured {
  /** Successful (expected-status) responses per second over the run's real duration. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  /** Responses with another status, and socket errors/timeouts. */
  bad: number;
  errors: number;
  seconds: number;
  /** The supply (orders, sessions) ran out before the duration: the run was stopped early. */
  exhausted: boolean;
  statuses: Record<string, number>;
}

export interface RunOptions {
  url: string;
  connections: number;
  /** Seconds (ignored when `amount` is given). */
  duration?: number;
  /** Exact number of requests instead of a duration. */
  amount?: number;
  requests: CannonRequest[];
  /** Which statuses count as success (default: any 2xx). */
  okStatus?: (status: number) => boolean;
  /** Per-request latencies of the subject are autocannon's; a journey passes its own here (ms). */
  customLatencies?: number[];
  /** Counts successes per "unit" (a journey = its last step); default every ok response. */
  unitDone?: () => number;
}

export interface Controller {
  stop(): void;
  exhausted: boolean;
  /** When the supply ran out (the rate is over the time until then). */
  stoppedAt?: number;
}

export async function measure(opts: RunOptions, controller: Controller = { stop: () => undefined, exhausted: false }): Promise<Measured> {
  const okStatus = opts.okStatus ?? ((s: number) => s >= 200 && s < 300);
  let ok = 0;
  let bad = 0;
  const statuses: Record<string, number> = {};
  const requests = opts.requests.map((r) => {
    const orig = typeof r.onResponse === 'function' ? r.onResponse : undefined;
    return {
      ...r,
      onResponse: (status: number, body: string, context: object, headers: Parameters<NonNullable<typeof orig>>[3]) => {
        // After the supply ran out, the remaining connections send a sentinel (/healthz) while the run stops.
        if ((context as { sentinel?: boolean }).sentinel) return;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (okStatus(status)) ok++;
        else bad++;
        orig?.(status, body, context, headers);
      },
    } as CannonRequest;
  });
  const t0 = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 5 }),
        requests,
        timeout: 30,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    controller.stop = () => {
      controller.exhausted = true;
      controller.stoppedAt = Date.now();
      instance.stop();
    };
  });
  const seconds = ((controller.stoppedAt ?? Date.now()) - t0) / 1000;
  const units = opts.unitDone ? opts.unitDone() : ok;
  const lat = opts.customLatencies;
  const pct = (p: number) => {
    if (!lat || !lat.length) return NaN;
    const s = [...lat].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  };
  return {
    rps: units / seconds,
    p50: lat ? pct(50) : result.latency.p50,
    p99: lat ? pct(99) : result.latency.p99,
    ok,
    bad,
    errors: result.errors + result.timeouts,
    seconds,
    exhausted: controller.exhausted,
    statuses,
  };
}
