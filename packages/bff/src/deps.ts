// What every service needs, passed in (never imported as globals) so tests build their own.
import type { Kysely } from 'kysely';
import type { Config } from './env.ts';
import type { Dialect } from './db/database.ts';
import type { Database } from './db/tables.ts';
import type { Clock } from './lib/clock.ts';
import type { RandomSource } from './lib/ids.ts';
import type { Logger } from './lib/logger.ts';
import type { QuotaRepository } from './modules/quota/quota.repository.ts';

export interface Deps {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  quota: QuotaRepository;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** Outgoing HTTP (partner callbacks, providers); tests may wrap it. */
  fetch: typeof fetch;
}
