// One scheduler for the timers (delivery, expiry, recovery, provider polling). Each job never overlaps itself here,
// and every job function is safe to run on several instances at once (conditional updates and leases).
import type { Logger } from '../lib/logger.ts';

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs every job once now (used at start-up for recovery, and by tests). */
  runAll(): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(jobs: Job[], logger: Logger, start = true): Scheduler {
  const running = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const tick = (job: Job): Promise<void> => {
    const inFlight = running.get(job.name);
    if (inFlight) return inFlight;
    const p = job
      .run()
      .then(() => undefined)
      .catch((err: unknown) => logger.error({ err, job: job.name }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, p);
    return p;
  };

  if (start) {
    for (const job of jobs) {
      const t = setInterval(() => {
        if (!stopped) void tick(job);
      }, job.everyMs);
      t.unref();
      timers.push(t);
    }
  }
  return {
    async runAll() {
      for (const job of jobs) await tick(job);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.all(running.values());
    },
  };
}
