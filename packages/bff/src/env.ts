// The only reader of process.env: parses and validates the configuration once, with zod.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bool, dbUrl, hhmm, parsePinKeys, splitList, sqlTable } from './env-fields.ts';

/**
 * Abuse limits (issue 12): `<hits>/<window seconds>` per key, counted in the database across instances; raise them for
 * a load test or a big partner with `RATE_LIMIT_<NAME>=<hits>/<seconds>`. README lists the defaults.
 */
export const RATE_LIMIT_DEFAULTS = {
  session_per_partner: '600/60',
  session_per_ip: '30/60',
  pin_per_user: '20/900',
  pin_per_ip: '60/900',
  order_per_session: '10/60',
  admin_signin_per_user: '10/900',
  admin_signin_per_ip: '30/900',
  notify_per_ip: '600/60',
} as const;
export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}
const rateRule = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,9}\/\d{1,6}$/, 'expected <hits>/<window seconds>, e.g. 30/60')
    .transform((v): RateLimitRule => {
      const [hits, seconds] = v.split('/').map(Number) as [number, number];
      return { limit: hits, windowMs: Math.max(1, seconds) * 1000 };
    })
    .prefault(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: dbUrl.default('sqlite:.data/wallet.db'),
  /** The api_core_v2 insurer tables; defaults to the main database (dev seeds them there). */
  QUOTA_DATABASE_URL: dbUrl.optional(),
  QUOTA_INSURER_TABLE: sqlTable.default('insurers'),
  QUOTA_RECORD_TABLE: sqlTable.default('insurer_quota_records'),
  /** Create the api_core_v2 tables when missing: on outside production, off in production (they are the real ones). */
  QUOTA_MIGRATE: bool.optional(),
  /** How late an api_core_v2 record may commit after its created_at; younger records are summed on every read. */
  QUOTA_SETTLE_LAG_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(600),
  /** How long the fast quota read trusts its snapshot of records other systems wrote (0: every read sums the tail). */
  QUOTA_FOREIGN_REFRESH_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** How long after an order's deadline its quota and coverage holds expire if nothing posted or voided them. */
  HOLD_GRACE_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  SESSION_SECRET: z.string().min(16).default('dev-session-secret-change-me'),
  SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  LINK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  ORDER_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  CLEARING_CUTOFF: hhmm.default('17:00'),
  PIN_MAX_TRIES: z.coerce.number().int().min(1).max(20).default(5),
  /** Minutes a PIN stays locked after PIN_MAX_TRIES wrong tries; after that the tries start again from zero. */
  PIN_LOCK_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(30),
  /** Keys of the keyed PIN hash (HMAC-SHA256), `id:secret[,id:secret…]`; every listed id still verifies (rotation). */
  PIN_KEYS: z.string().default('dev:dev-pin-key-change-me-not-for-production').transform(parsePinKeys),
  /** The key new and upgraded PIN hashes use; the first of PIN_KEYS when unset. */
  PIN_KEY_ID: z.string().optional(),
  PUBLIC_BASE_URL: z.string().url().default('http://localhost:8787'),
  WALLET_URL: z.string().url().default('http://localhost:5173/wallet/index.html'),
  SERVE_H5_DIR: z.string().optional(),
  SEED_DEMO: bool.optional(),
  JOBS: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  PAYZERO_BASE_URL: z.string().url().default('http://127.0.0.1:8791'),
  PAYZERO_USERNAME: z.string().default('demo-merchant'),
  PAYZERO_PASSWORD: z.string().default('demo-password'),
  PAYZERO_SIGN_TOKEN: z.string().default('demo-sign-token'),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  GAT_BASE_URL: z.string().url().default('http://127.0.0.1:8792'),
  GAT_APPID: z.string().default('30000003'),
  GAT_APPSECRET: z.string().default('f4cc82386a1cdddcc98e4f53b1115a62'),
  GAT_SELLER_APPID: z.string().default('20110783'),
  ADMIN_SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(8 * 60),
  ADMIN_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /** Partner secret rotation: how long the replaced secret is still accepted. */
  ADMIN_SECRET_OVERLAP_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 24)
    .default(24),
  /** WeCom / DingTalk group-robot webhook that receives every alert (markdown); unset = no pushes are queued. */
  ADMIN_WEBHOOK_URL: z.string().url().optional(),
  /** How many proxies in front of us append to X-Forwarded-For; 0 = use the socket address (the default). */
  /** Crash tests only: comma-separated kill points (`settlement:<step>`, `callback:sent:<event>`); refused in production. */
  FAULT_KILL_AT: z.string().optional(),
  SETTLE_IN_PAYMENT: bool.default(true), // false: settle by the recorded steps (the crash tests' kill points)
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  RATE_LIMIT_SESSION_PER_PARTNER: rateRule(RATE_LIMIT_DEFAULTS.session_per_partner),
  RATE_LIMIT_SESSION_PER_IP: rateRule(RATE_LIMIT_DEFAULTS.session_per_ip),
  RATE_LIMIT_PIN_PER_USER: rateRule(RATE_LIMIT_DEFAULTS.pin_per_user),
  RATE_LIMIT_PIN_PER_IP: rateRule(RATE_LIMIT_DEFAULTS.pin_per_ip),
  RATE_LIMIT_ORDER_PER_SESSION: rateRule(RATE_LIMIT_DEFAULTS.order_per_session),
  RATE_LIMIT_ADMIN_SIGNIN_PER_USER: rateRule(RATE_LIMIT_DEFAULTS.admin_signin_per_user),
  RATE_LIMIT_ADMIN_SIGNIN_PER_IP: rateRule(RATE_LIMIT_DEFAULTS.admin_signin_per_ip),
  RATE_LIMIT_NOTIFY_PER_IP: rateRule(RATE_LIMIT_DEFAULTS.notify_per_ip),
});

export type Env = z.infer<typeof EnvSchema>;

/** What an empty environment gives: the development defaults production must not run with. */
const DEVELOPMENT = EnvSchema.parse({});

/** Credentials and secrets production must be given explicitly, each different from its development default. */
const PRODUCTION_SECRETS = [
  'SESSION_SECRET',
  'PAYZERO_USERNAME',
  'PAYZERO_PASSWORD',
  'PAYZERO_SIGN_TOKEN',
  'GAT_APPID',
  'GAT_APPSECRET',
  'GAT_SELLER_APPID',
] as const;

/** Other public values `pnpm dev` runs with (the Payzero simulator's credentials, PAYZERO_SIMULATOR_DEFAULTS). */
const OTHER_DEVELOPMENT_VALUES: Partial<Record<(typeof PRODUCTION_SECRETS)[number], string>> = {
  PAYZERO_USERNAME: 'zf-demo-app',
  PAYZERO_PASSWORD: 'zf-demo-app-key',
  PAYZERO_SIGN_TOKEN: 'payzero-simulator-sign-token',
};

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl: string;
  quota: {
    databaseUrl: string;
    insurerTable: string;
    recordTable: string;
    migrate: boolean;
    settleLagMs: number;
    foreignRefreshMs: number;
  };
  holdGraceMs: number;
  session: { secret: string; ttlMs: number; linkToleranceMs: number };
  orderTtlMs: number;
  clearingCutoff: string;
  pinMaxTries: number;
  /** The keyed PIN hash's keys (new hashes under `keyId`) and how long a lock lasts. */
  pin: { keyId: string; keys: ReadonlyMap<string, string>; lockMs: number };
  publicBaseUrl: string;
  walletUrl: string;
  serveH5Dir: string | undefined;
  seedDemo: boolean;
  jobs: boolean;
  logLevel: Env['LOG_LEVEL'];
  callbackTimeoutMs: number;
  providerTimeoutMs: number; // per request of the Payzero and Guanaitong clients: a hanging provider costs at most this
  payzero: { baseUrl: string; username: string; password: string; signToken: string };
  guanaitong: { baseUrl: string; appid: string; appsecret: string; sellerAppid: string };
  admin: { sessionTtlMs: number; idleMs: number; secretOverlapMs: number; webhookUrl: string | undefined };
  trustProxyHops: number;
  faultKillAt: string[]; // crash-test kill points (lib/fault.ts); empty outside crash tests
  settleInPayment: boolean;
  rateLimits: Record<RateLimitName, RateLimitRule>;
}

export class ConfigError extends Error {}

/** Parses an environment into a Config; throws ConfigError with one line per problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const pinKeyId = e.PIN_KEY_ID ?? [...e.PIN_KEYS.keys()][0] ?? '';
  const problems: string[] = [];
  if (!e.PIN_KEYS.has(pinKeyId)) problems.push('  PIN_KEY_ID: not one of the ids in PIN_KEYS');
  if (production) {
    if (!e.DATABASE_URL.startsWith('mysql://')) problems.push('  DATABASE_URL: production runs on MySQL (mysql://…)');
    for (const name of PRODUCTION_SECRETS) {
      if (!source[name]) problems.push(`  ${name}: must be set in production`);
      else if (e[name] === DEVELOPMENT[name] || e[name] === OTHER_DEVELOPMENT_VALUES[name])
        problems.push(`  ${name}: is the development default; production needs its own`);
    }
    const devPinKeys = [...DEVELOPMENT.PIN_KEYS.values()];
    if (!source.PIN_KEYS) problems.push('  PIN_KEYS: must be set in production');
    else if ([...e.PIN_KEYS.values()].some((k) => devPinKeys.includes(k)))
      problems.push('  PIN_KEYS: holds the development key; production needs its own');
    if (e.SEED_DEMO) problems.push('  SEED_DEMO: demo data is refused in production');
    if (e.FAULT_KILL_AT) problems.push('  FAULT_KILL_AT: fault injection is refused in production');
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    quota: {
      databaseUrl: e.QUOTA_DATABASE_URL ?? e.DATABASE_URL,
      insurerTable: e.QUOTA_INSURER_TABLE,
      recordTable: e.QUOTA_RECORD_TABLE,
      migrate: e.QUOTA_MIGRATE ?? !production,
      settleLagMs: e.QUOTA_SETTLE_LAG_SECONDS * 1000,
      foreignRefreshMs: e.QUOTA_FOREIGN_REFRESH_MS,
    },
    holdGraceMs: e.HOLD_GRACE_MINUTES * 60_000,
    session: { secret: e.SESSION_SECRET, ttlMs: e.SESSION_TTL_MINUTES * 60_000, linkToleranceMs: e.LINK_TOLERANCE_SECONDS * 1000 },
    orderTtlMs: e.ORDER_TTL_MINUTES * 60_000,
    clearingCutoff: e.CLEARING_CUTOFF,
    pinMaxTries: e.PIN_MAX_TRIES,
    pin: { keyId: pinKeyId, keys: e.PIN_KEYS, lockMs: e.PIN_LOCK_MINUTES * 60_000 },
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''),
    walletUrl: e.WALLET_URL,
    // Production serves the built H5 (packages/h5/dist) unless told otherwise; relative paths are from the cwd.
    serveH5Dir: e.SERVE_H5_DIR
      ? isAbsolute(e.SERVE_H5_DIR)
        ? e.SERVE_H5_DIR
        : resolve(e.SERVE_H5_DIR)
      : production
        ? fileURLToPath(new URL('../../h5/dist', import.meta.url))
        : undefined,
    seedDemo: e.SEED_DEMO ?? e.NODE_ENV !== 'production',
    jobs: e.JOBS,
    logLevel: e.LOG_LEVEL,
    callbackTimeoutMs: e.CALLBACK_TIMEOUT_MS,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    payzero: { baseUrl: e.PAYZERO_BASE_URL, username: e.PAYZERO_USERNAME, password: e.PAYZERO_PASSWORD, signToken: e.PAYZERO_SIGN_TOKEN },
    guanaitong: { baseUrl: e.GAT_BASE_URL, appid: e.GAT_APPID, appsecret: e.GAT_APPSECRET, sellerAppid: e.GAT_SELLER_APPID },
    admin: {
      sessionTtlMs: e.ADMIN_SESSION_TTL_MINUTES * 60_000,
      idleMs: e.ADMIN_IDLE_MINUTES * 60_000,
      secretOverlapMs: e.ADMIN_SECRET_OVERLAP_HOURS * 3600_000,
      webhookUrl: e.ADMIN_WEBHOOK_URL,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    faultKillAt: splitList(e.FAULT_KILL_AT),
    settleInPayment: e.SETTLE_IN_PAYMENT,
    rateLimits: Object.fromEntries(
      Object.keys(RATE_LIMIT_DEFAULTS).map((name) => [
        name,
        e[`RATE_LIMIT_${name.toUpperCase()}` as `RATE_LIMIT_${Uppercase<RateLimitName>}`],
      ]),
    ) as Record<RateLimitName, RateLimitRule>,
  };
}

/** A config for tests: defaults plus overrides, never reading process.env. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', JOBS: 'false', LOG_LEVEL: 'silent', ...overrides });
}
