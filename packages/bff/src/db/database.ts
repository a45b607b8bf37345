// Connections (SQLite by default, MySQL/MariaDB via mysql2), transactions with retry, and the migrator.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect, type LogConfig, type Transaction } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { createPool } from 'mysql2';
import type { Database } from './tables.ts';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import { withBeforeCommit } from './before-commit.ts';
import * as init from './migrations/2026_11_22_001_init.ts';
import * as cardFingerprint from './migrations/2026_11_22_002_card_fingerprint.ts';
import * as admin020 from './migrations/2026_12_01_020_admin.ts';
import * as money from './migrations/2026_12_01_030_money.ts';
import * as quotaLevels031 from './migrations/2026_12_01_031_quota_levels.ts';
import * as refunds from './migrations/2026_12_01_040_refunds.ts';
import * as phoneSecondFactor from './migrations/2026_12_01_060_phone_second_factor.ts';
import * as claimPartner from './migrations/2026_12_01_050_claim_partner.ts';
import * as callbackPorts from './migrations/2026_12_01_050_callback_ports.ts';
import * as rateLimits from './migrations/2026_12_01_050_rate_limits.ts';
import * as dropAdminLoginAttempts from './migrations/2026_12_01_090_drop_admin_login_attempts.ts';
import * as console070 from './migrations/2026_12_01_070_console.ts';
import * as callbackClaims from './migrations/2026_12_01_100_callback_claims.ts';
import * as reconcileRuns from './migrations/2026_12_02_010_reconcile_runs.ts';
import * as callbackDueSeq from './migrations/2026_12_02_030_callback_due_seq.ts';
import * as reconcileResume from './migrations/2026_12_02_060_reconcile_resume.ts';
import { quotaMigration } from './migrations/quota_2026_11_22_001_init.ts';
import { quotaCreatedIndex } from './migrations/quota_2026_12_01_030_created_index.ts';

export type Dialect = 'sqlite' | 'mysql';

export interface Connection<DB> {
  db: Kysely<DB>;
  dialect: Dialect;
  url: string;
  destroy(): Promise<void>;
}

/** Opens `sqlite:<path>` (`sqlite::memory:` for tests) or `mysql://user:pass@host:port/db`; `log`: Kysely's query log hook. */
export function connect<DB = Database>(url: string, log?: LogConfig): Connection<DB> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    // The WAL checkpoint runs on a worker thread (db/sqlite-checkpointer.ts), not in the commits on the event loop.
    const checkpointer = path === ':memory:' ? null : startCheckpointer(path, (pages) => sqlite.pragma(`wal_autocheckpoint = ${pages}`));
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }), log });
    return {
      db,
      dialect: 'sqlite',
      url,
      destroy: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  // `?pool_size=N` (default 10): the pool's connections; the parameter is ours, not passed on to the driver.
  const parsed = new URL(url);
  const poolSize = Number(parsed.searchParams.get('pool_size') ?? 10);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 500)
    throw new Error(`DATABASE_URL: pool_size must be a whole number from 1 to 500, got "${parsed.searchParams.get('pool_size')}"`);
  parsed.searchParams.delete('pool_size');
  const pool = createPool({
    uri: parsed.toString(),
    connectionLimit: poolSize,
    // A stopped or hung server costs a request at most this to find out (then ZF0181); the pool reconnects after.
    connectTimeout: 5_000,
    supportBigNumbers: true,
    decimalNumbers: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  const db = new Kysely<DB>({ dialect: new MysqlDialect({ pool }), log });
  return { db, dialect: 'mysql', url, destroy: () => db.destroy() };
}

/**
 * better-sqlite3 with its prepared statements kept per SQL text: Kysely's driver prepares every query it runs, and
 * the pay path's profile showed SQLite's statement compilation (`Statement`, `prepare`) as ≈ 19 % of its CPU. The
 * same SQL text gets the same statement (Kysely runs each to completion before the next; it never streams here).
 */
function cachedStatements(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        if (cache.size >= 1000) cache.clear();
        cache.set(text, (stmt = sqlite.prepare(text)));
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/** True when a database error is a unique/primary-key violation (on either dialect). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.errno === 1062;
}

function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.errno === 1213 || e?.errno === 1205 || e?.code === 'SQLITE_BUSY';
}

/**
 * Runs `fn` in a transaction, retrying on deadlock / lock timeout (MySQL) or busy (SQLite).
 * Everything inside must use the given `trx`, never the outer `db` (SQLite has one connection). Work registered with
 * `beforeCommit` (db/before-commit.ts: the ledger's deferred balance updates) runs after `fn`, inside the transaction.
 */
export async function inTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>, tries = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((trx) => withBeforeCommit(trx, () => fn(trx)));
    } catch (err) {
      if (attempt >= tries || !isRetryable(err)) throw err;
      // Exponential backoff with full jitter (5, 10, 20 … 320 ms caps; ≈ 0.6 s expected in all): InnoDB picks a deadlock
      // victim among transactions on the same hot ledger rows, and retrying at once tends to meet the same partners.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5 * 2 ** Math.min(attempt, 6))));
    }
  }
}

const MIGRATIONS: Record<string, Migration> = {
  '2026_11_22_001_init': init,
  '2026_11_22_002_card_fingerprint': cardFingerprint,
  '2026_12_01_020_admin': admin020,
  '2026_12_01_030_money': money,
  '2026_12_01_031_quota_levels': quotaLevels031,
  '2026_12_01_040_refunds': refunds,
  '2026_12_01_060_phone_second_factor': phoneSecondFactor,
  '2026_12_01_050_claim_partner': claimPartner,
  '2026_12_01_050_callback_ports': callbackPorts,
  '2026_12_01_050_rate_limits': rateLimits,
  '2026_12_01_090_drop_admin_login_attempts': dropAdminLoginAttempts,
  '2026_12_01_070_console': console070,
  '2026_12_01_100_callback_claims': callbackClaims,
  '2026_12_02_010_reconcile_runs': reconcileRuns,
  '2026_12_02_030_callback_due_seq': callbackDueSeq,
  '2026_12_02_060_reconcile_resume': reconcileResume,
};

/** Brings our schema up to date; throws on the first failing migration. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  // Unordered: branches landed out of name order (030/031 after 040/060 on a database main already migrated).
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Creates the api_core_v2 tables where we own them (dev, tests); production points at the real ones. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names are configuration, so the schema is untyped
export async function migrateQuota(db: Kysely<any>, insurerTable: string, recordTable: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => ({
        '2026_11_22_001_quota_init': quotaMigration(insurerTable, recordTable),
        '2026_12_01_030_quota_created_index': quotaCreatedIndex(recordTable),
      }),
    },
    migrationTableName: 'quota_kysely_migration',
    migrationLockTableName: 'quota_kysely_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

export type Trx = Transaction<Database>;
export type Db = Kysely<Database> | Transaction<Database>;
