// The system under test: a database (fresh temp SQLite file or a fresh database on MariaDB), migrated and seeded
// (demo data + bench-only users, claims, policies and wallet money, all through the ledger), and BFF processes
// started exactly as `server.ts` runs (node + tsx, its own env), plus helpers to open sessions and create orders.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSignedLink } from '@zf/shared/partner';
import { createPool } from 'mysql2/promise';
import { createRuntime } from '../../src/bootstrap.ts';
import { inTransaction } from '../../src/db/database.ts';
import { loadConfig, RATE_LIMIT_DEFAULTS } from '../../src/env.ts';
import { Accounts, ensureAccount, transfer } from '../../src/ledger/ledger.ts';
import { fundCoverage } from '../../src/modules/policy/policy-coverage.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { hashPin } from '../../src/lib/pin-hash.ts';
import { DEMO } from '../../src/modules/demo/demo.seed.ts';
import { shanghaiDate } from '../../src/modules/policy/policy.service.ts';
import { freePort, pool, spawnChild, waitReady, type Child } from './util.ts';

export const BFF_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const SESSION_SECRET = 'bench-session-secret-0123456789abcdef';
export const PIN = DEMO.pin;
/** ¥1.00 under an 80 % policy: insurer ¥0.80, self-pay ¥0.20, so 100 000 payments fit the demo quota. */
export const AMOUNT = '1.00';

export interface BenchUser {
  userId: string;
  claimNo: string;
  policyNo: string;
}

export interface Seeded {
  /** Users whose PIN hash is the demo's (legacy scrypt N=16384): upgraded to the keyed hash at their first payment. */
  users: BenchUser[];
  /** Users whose stored PIN hash is already the keyed HMAC (what every user has after one payment). */
  cheapPinUsers: BenchUser[];
}

/** Migrates, seeds the demo data, then `perGroup` users per PIN kind with ¥1 000 each, and funds the clearing ledger. */
export async function seedDatabase(databaseUrl: string, perGroup: number): Promise<Seeded> {
  const runtime = await createRuntime(
    loadConfig({ NODE_ENV: 'development', DATABASE_URL: databaseUrl, SEED_DEMO: 'true', JOBS: 'false', LOG_LEVEL: 'silent' }),
    { logger: createLogger('silent') },
  );
  const { db } = runtime.deps;
  const now = Date.now();
  const demo = await db.selectFrom('users').select('pin_hash').where('id', '=', DEMO.users.zhangsan.id).executeTakeFirstOrThrow();
  const cheap = hashPin(runtime.deps.config.pin, PIN);
  const from = shanghaiDate(now - 30 * 86_400_000);
  const to = shanghaiDate(now + 365 * 86_400_000);
  const make = (prefix: string): BenchUser[] =>
    Array.from({ length: perGroup }, (_, i) => {
      const n = String(i + 1).padStart(4, '0');
      return { userId: `U-${prefix}-${n}`, claimNo: `CLM-${prefix}-${n}`, policyNo: `POL-${prefix}-${n}` };
    });
  const seeded: Seeded = { users: make('BENCH'), cheapPinUsers: make('BENCHC') };
  const groups: Array<[BenchUser[], string]> = [
    [seeded.users, demo.pin_hash as string],
    [seeded.cheapPinUsers, cheap],
  ];
  await inTransaction(db, async (trx) => {
    for (const [users, pinHash] of groups) {
      for (const u of users) {
        await trx
          .insertInto('users')
          .values({ id: u.userId, name: '压测用户', pin_hash: pinHash, pin_locked_at: null, created_at: now })
          .execute();
        await trx
          .insertInto('claims')
          .values({ claim_no: u.claimNo, user_id: u.userId, partner_id: DEMO.partnerId, created_at: now })
          .execute();
        await trx
          .insertInto('policies')
          .values({
            policy_no: u.policyNo,
            user_id: u.userId,
            ic_code: 'PICC',
            insurer_name: DEMO.quota.PICC.name,
            product_name: '人保健康医疗险',
            ratio_bp: 8000,
            deductible_fen: 0,
            coverage_left_fen: 100_000_000,
            valid_from: from,
            valid_to: to,
            status: 'active',
            created_at: now,
          })
          .execute();
        await transfer(trx, {
          key: `bench:wallet:${u.userId}`,
          from: Accounts.world,
          to: Accounts.userWallet(u.userId),
          amountFen: 100_000,
          memo: 'bench wallet top-up',
          now,
        });
        // Its coverage account now, so the fast order supply (bench/servers/raw-seed.ts) can place holds on it.
        await fundCoverage(trx, { policy_no: u.policyNo, coverage_left_fen: 100_000_000 }, now);
      }
    }
    for (const account of [Accounts.insurerQuota('PICC'), Accounts.quotaIssued, Accounts.coverageIssued])
      await ensureAccount(trx, account, now);
    // The demo clearing ledger (¥50 000) covers 62 500 insurer shares of ¥0.80; 100 000 payments need more.
    await transfer(trx, {
      key: 'bench:clearing',
      from: Accounts.world,
      to: Accounts.clearing,
      amountFen: 1_000_000_000,
      memo: 'bench clearing funding',
      now,
    });
  });
  await runtime.close();
  return seeded;
}

/** A fresh database on a MariaDB server (`mysql://root@127.0.0.1:port/`), dropped by the returned function. */
export async function createMysqlDatabase(baseUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = createPool({ uri: baseUrl, connectionLimit: 1 });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    url: `${baseUrl.replace(/\/+$/, '')}/${name}`,
    async drop() {
      const a = createPool({ uri: baseUrl, connectionLimit: 1 });
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
}

export interface Server {
  child: Child;
  url: string;
  logFile: string;
}

/** Starts a node process on `script` (tsx loader, like `tsx src/server.ts`), waits for /healthz. */
/** A load test measures the service, not the abuse limits (issue 12): every RATE_LIMIT_* raised out of the way. */
const LOAD_TEST_LIMITS = Object.fromEntries(Object.keys(RATE_LIMIT_DEFAULTS).map((n) => [`RATE_LIMIT_${n.toUpperCase()}`, '100000000/60']));

export async function startNode(
  name: string,
  script: string,
  env: Record<string, string>,
  logDir: string,
  nodeArgs: string[] = [],
): Promise<Server> {
  const port = await freePort();
  const logFile = path.join(logDir, `${name}.log`);
  const child = spawnChild(name, process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: BFF_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...LOAD_TEST_LIMITS, ...env, PORT: String(port) },
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/healthz`, child, logFile);
  return { child, url, logFile };
}

/** The BFF as `pnpm dev`/`pnpm start` run it: src/server.ts, jobs on (callback dispatcher etc.), loopback only. */
export function startBff(name: string, databaseUrl: string, logDir: string, nodeArgs: string[] = []): Promise<Server> {
  return startNode(
    name,
    'src/server.ts',
    {
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      SESSION_SECRET,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'true',
      JOBS: 'true',
    },
    logDir,
    nodeArgs,
  );
}

let referCounter = 0;
/** A signed deep link's parameters for a fresh refer_no (what the H5 forwards to POST /api/session). */
export function linkParams(user: BenchUser, callbackUrl: string): Record<string, string> {
  const link = buildSignedLink(
    'http://127.0.0.1/wallet/index.html',
    {
      partner_id: DEMO.partnerId,
      amout: AMOUNT,
      refer_no: `BR-${process.pid}-${Date.now().toString(36)}-${referCounter++}`,
      claim_no: user.claimNo,
      callback: callbackUrl,
    },
    DEMO.linkSecret,
  );
  return Object.fromEntries(new URLSearchParams(link.split('?')[1]));
}

export interface Ready {
  token: string;
  user: BenchUser;
  orderNo?: string;
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Opens `n` sessions (fresh refer_no each) through the API, cycling through `users`. */
export async function openSessions(base: string, users: BenchUser[], n: number, callbackUrl: string): Promise<Ready[]> {
  return pool(
    Array.from({ length: n }, (_, i) => users[i % users.length]!),
    16,
    async (user) => {
      const r = await postJson(`${base}/api/session`, { params: linkParams(user, callbackUrl) });
      if (r.status !== 200) throw new Error(`session: ${r.status} ${JSON.stringify(r.json)}`);
      return { token: r.json.token as string, user };
    },
  );
}

/** Opens sessions and creates one order each through the API (not measured: the pay subjects' supply). */
export async function createOrders(base: string, users: BenchUser[], n: number, callbackUrl: string): Promise<Ready[]> {
  const sessions = await openSessions(base, users, n, callbackUrl);
  return pool(sessions, 16, async (s) => {
    const r = await postJson(`${base}/api/orders`, { policy_no: s.user.policyNo }, s.token);
    if (r.status !== 201) throw new Error(`order: ${r.status} ${JSON.stringify(r.json)}`);
    return { ...s, orderNo: (r.json.order as { order_no: string }).order_no };
  });
}
