// Builds the dependencies from a Config: connections, migrations, demo data, and the background jobs.
import type { Kysely, LogConfig } from 'kysely';
import type { Config } from './env.ts';
import { connect, migrate, migrateQuota, type Connection } from './db/database.ts';
import type { Database } from './db/tables.ts';
import type { Deps } from './deps.ts';
import { startScheduler, type Job, type Scheduler } from './jobs/scheduler.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { cryptoRandom, type RandomSource } from './lib/ids.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { deliverAlertPushes } from './modules/alert/alert-push.worker.ts';
import { deliverDueCallbacks } from './modules/callback/callback.worker.ts';
import { seedDemo } from './modules/demo/demo.seed.ts';
import { closeExpiredOrders } from './modules/order/order.service.ts';
import { QuotaRepository } from './modules/quota/quota.repository.ts';
import { resumeSettlements } from './modules/settlement/settlement.service.ts';
import { expirePending } from './ledger/ledger.ts';
import { checkAllQuotaLevels, recountQuotaBooks } from './modules/quota/quota.service.ts';
import { deleteExpiredRateLimits } from './modules/ratelimit/ratelimit.service.ts';

export interface Runtime {
  deps: Deps;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Kysely's query log hook on our connection (tests count statements with it). */
  log?: LogConfig;
}

/** Connects, migrates (ours always; the api_core_v2 tables outside production) and seeds the demo data when enabled. */
export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const main: Connection<Database> = connect<Database>(config.databaseUrl, opts.log);
  const quotaConn: Connection<unknown> | null =
    config.quota.databaseUrl === config.databaseUrl ? null : connect<unknown>(config.quota.databaseUrl);
  // The api_core_v2 tables have configurable names, so that connection is untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const quotaDb = (quotaConn?.db ?? main.db) as Kysely<any>;
  try {
    await migrate(main.db);
    if (config.quota.migrate) await migrateQuota(quotaDb, config.quota.insurerTable, config.quota.recordTable);
  } catch (err) {
    await main.destroy();
    await quotaConn?.destroy();
    throw err;
  }
  const clock = opts.clock ?? systemClock;
  const deps: Deps = {
    config,
    db: main.db,
    dialect: main.dialect,
    quota: new QuotaRepository(
      quotaDb,
      { insurerTable: config.quota.insurerTable, recordTable: config.quota.recordTable },
      {
        ours: main.db,
        clock,
        settleLagMs: config.quota.settleLagMs,
        dialect: quotaConn?.dialect ?? main.dialect,
        shared: quotaConn === null,
        foreignRefreshMs: config.quota.foreignRefreshMs,
      },
    ),
    clock,
    random: opts.random ?? cryptoRandom,
    logger: opts.logger ?? createLogger(config.logLevel),
    fetch: opts.fetch ?? globalThis.fetch,
  };
  if (config.seedDemo) await seedDemo(deps);
  return {
    deps,
    async close() {
      await main.destroy();
      await quotaConn?.destroy();
    },
  };
}

/** The core's timers; provider modules add their own jobs (e.g. polling late bank results). */
export function coreJobs(deps: Deps): Job[] {
  return [
    { name: 'deliver-callbacks', everyMs: 1000, run: () => deliverDueCallbacks(deps) },
    { name: 'close-expired-orders', everyMs: 15_000, run: () => closeExpiredOrders(deps) },
    { name: 'resume-settlements', everyMs: 30_000, run: () => resumeSettlements(deps) },
    { name: 'expire-holds', everyMs: 60_000, run: () => expirePending(deps.db, deps.clock.now()) },
    { name: 'quota-levels', everyMs: 60_000, run: () => checkAllQuotaLevels(deps) },
    { name: 'quota-recount', everyMs: 3600_000, run: () => recountQuotaBooks(deps) },
    { name: 'push-alerts', everyMs: 2000, run: () => deliverAlertPushes(deps) },
    { name: 'delete-expired-rate-limits', everyMs: 60_000, run: () => deleteExpiredRateLimits(deps) },
  ];
}

export function startJobs(deps: Deps, extra: Job[] = []): Scheduler {
  return startScheduler([...coreJobs(deps), ...extra], deps.logger, deps.config.jobs);
}
