// Test harness: one suite runs on SQLite and on a real MariaDB (TEST_MYSQL_URL, a throwaway server the test command
// starts). Each test gets a fresh database, the demo data, a manual clock, and a real HTTP partner that records
// the callbacks it receives.
import { serve, type ServerType } from '@hono/node-server';
import { buildSignedLink } from '@zf/shared/partner';
import { Hono } from 'hono';
import { createPool } from 'mysql2/promise';
import { afterEach, beforeEach, describe } from 'vitest';
import { createApp } from '../src/app.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/bootstrap.ts';
import type { Deps } from '../src/deps.ts';
import { testConfig } from '../src/env.ts';
import { checkLedger, ledgerIsClean } from '../src/ledger/ledger.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';

export interface DatabaseTarget {
  name: 'sqlite' | 'mariadb';
  /** A fresh empty database URL, or null when this target is unavailable. */
  create(): Promise<{ url: string; drop(): Promise<void> } | null>;
}

let dbCounter = 0;

export const DATABASE_TARGETS: DatabaseTarget[] = [
  { name: 'sqlite', create: async () => ({ url: 'sqlite::memory:', drop: async () => {} }) },
  {
    name: 'mariadb',
    async create() {
      const base = process.env.TEST_MYSQL_URL;
      if (!base) return null;
      const name = `zf_test_${process.pid}_${Date.now().toString(36)}_${dbCounter++}`;
      const admin = createPool({ uri: base, connectionLimit: 1 });
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      await admin.end();
      const url = `${base.replace(/\/+$/, '')}/${name}`;
      return {
        url,
        async drop() {
          const a = createPool({ uri: base, connectionLimit: 1 });
          await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await a.end();
        },
      };
    },
  },
];

/** What partners receive: the raw request, so tests can verify signatures with a Standard Webhooks library. */
export interface ReceivedCallback {
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

/** A real HTTP partner endpoint on 127.0.0.1 that records callbacks and answers a status the test chooses. */
export class PartnerEndpoint {
  readonly received: ReceivedCallback[] = [];
  status = 200;
  /** When set, the status for each callback by its body (overrides `status`). */
  statusFor: ((json: Record<string, unknown>) => number) | null = null;
  private server: ServerType | null = null;
  url = '';

  async start(): Promise<void> {
    const app = new Hono().post('/callback', async (c) => {
      const body = await c.req.text();
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((v, k) => (headers[k] = v));
      const json = JSON.parse(body) as Record<string, unknown>;
      this.received.push({ headers, body, json });
      const status = this.statusFor?.(json) ?? this.status;
      return c.text(status === 200 ? 'ok' : 'nope', status as 200);
    });
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        this.url = `http://127.0.0.1:${info.port}/callback`;
        resolve();
      });
    });
  }

  events(): string[] {
    return this.received.map((r) => String(r.json.event));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface TestContext {
  db: DatabaseTarget['name'];
  runtime: Runtime;
  deps: Deps;
  app: ReturnType<typeof createApp>;
  clock: ManualClock;
  partner: PartnerEndpoint;
  /** A signed demo deep link's query parameters (what the H5 forwards to POST /api/session). */
  linkParams(overrides?: Record<string, string>, secret?: string): Record<string, string>;
  /** Opens a session through the API and returns its bearer token and entry answer. */
  enter(overrides?: Record<string, string>): Promise<{ token: string; next: { page: string; order_no?: string } }>;
  /** Opens a session (link overrides) and creates an order under the policy (201 expected). */
  newOrder(
    overrides?: Record<string, string>,
    policyNo?: string,
  ): Promise<{ token: string; orderNo: string; order: { order_no: string; self_pay_fen: number; insurer_fen: number } }>;
  /** JSON request helper: returns status and parsed body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field in tests
  call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Declares `fn`'s tests once per database; titles carry `[sqlite]` / `[mariadb]` so the test command can count them.
 * Without TEST_MYSQL_URL the MariaDB half is skipped (the test command says so loudly, and fails under CI).
 */
export function describeEachDatabase(
  title: string,
  fn: (ctx: () => TestContext) => void,
  config: Record<string, string> = {},
  /** Extra runtime options, e.g. Kysely's `log` hook to count statements. */
  options: Pick<RuntimeOptions, 'log'> = {},
): void {
  for (const target of DATABASE_TARGETS) {
    const available = target.name === 'sqlite' || Boolean(process.env.TEST_MYSQL_URL);
    (available ? describe : describe.skip)(`${title} [${target.name}]`, () => {
      let ctx: TestContext | null = null;
      let drop: () => Promise<void> = async () => {};
      beforeEach(async () => {
        const created = await target.create();
        if (!created) throw new Error(`${target.name} unavailable`);
        drop = created.drop;
        const clock = new ManualClock(Date.now());
        const partner = new PartnerEndpoint();
        await partner.start();
        const runtime = await createRuntime(testConfig({ DATABASE_URL: created.url, SEED_DEMO: 'true', ...config }), {
          clock,
          logger: createLogger('silent'),
          ...options,
        });
        const app = createApp(runtime.deps);
        const linkParams = (overrides: Record<string, string> = {}, secret: string = DEMO.linkSecret) => {
          const link = buildSignedLink(
            'http://localhost/wallet/index.html',
            {
              partner_id: DEMO.partnerId,
              amout: '100.00',
              refer_no: 'REF-001',
              claim_no: DEMO.users.zhangsan.claimNo,
              callback: partner.url,
              ...overrides,
            },
            secret,
            Math.floor(clock.now() / 1000),
          );
          return Object.fromEntries(new URLSearchParams(link.split('?')[1]));
        };
        const call = async (method: string, path: string, token?: string, body?: unknown) => {
          const headers: Record<string, string> = {};
          if (token) headers.authorization = `Bearer ${token}`;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const res = await app.request(path, {
            method,
            headers,
            body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          });
          const text = await res.text();
          return { status: res.status, body: text ? JSON.parse(text) : null };
        };
        ctx = {
          db: target.name,
          runtime,
          deps: runtime.deps,
          app,
          clock,
          partner,
          linkParams,
          call,
          async enter(overrides = {}) {
            const res = await call('POST', '/api/session', undefined, { params: linkParams(overrides) });
            if (res.status !== 200) throw new Error(`entry failed: ${res.status} ${JSON.stringify(res.body)}`);
            return { token: res.body.token as string, next: res.body.next };
          },
          async newOrder(overrides = {}, policyNo = 'POL-PICC-001') {
            const { token } = await this.enter(overrides);
            const res = await call('POST', '/api/orders', token, { policy_no: policyNo });
            if (res.status !== 201) throw new Error(`order creation failed: ${res.status} ${JSON.stringify(res.body)}`);
            return { token, orderNo: res.body.order.order_no as string, order: res.body.order };
          },
        };
      });
      afterEach(async () => {
        if (ctx) {
          // The invariant after every test: each book sums to zero, balances match their entries, pending amounts match
          // the live holds, none illegal.
          const check = await checkLedger(ctx.deps.db);
          await ctx.partner.stop();
          await ctx.runtime.close();
          await drop();
          ctx = null;
          if (!ledgerIsClean(check)) {
            throw new Error(`ledger invariant broken: ${JSON.stringify(check)}`);
          }
        }
      });
      fn(() => {
        if (!ctx) throw new Error('test context used outside a test');
        return ctx;
      });
    });
  }
}

/** The attempts of an order, oldest first. */
export function attemptsOf(ctx: TestContext, orderNo: string) {
  return ctx.deps.db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('order_no', '=', orderNo)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Everything a refused or repeated request must leave as it was: money (balances, transfers), orders, callbacks,
 * payment attempts, provider notifications, alerts, policy coverage and insurer quota. `except` leaves out what a
 * refusal does record on purpose (a refused balance payment keeps a failed attempt; a wrong-amount notify raises an
 * alert), for the test to assert on its own.
 */
export async function snapshot(ctx: TestContext, except: ReadonlyArray<'attempts' | 'alerts'> = []): Promise<string> {
  const { db, quota } = ctx.deps;
  return JSON.stringify({
    accounts: await db.selectFrom('ledger_accounts').select(['id', 'balance_fen']).orderBy('id').execute(),
    transfers: await db.selectFrom('ledger_transfers').select(['idempotency_key', 'amount_fen']).orderBy('idempotency_key').execute(),
    orders: await db
      .selectFrom('orders')
      .select(['order_no', 'status', 'settlement_step', 'next_seq', 'paid_attempt_id'])
      .orderBy('order_no')
      .execute(),
    attempts: except.includes('attempts')
      ? null
      : await db.selectFrom('payment_attempts').select(['id', 'status', 'failure_reason', 'provider_trade_no']).orderBy('id').execute(),
    events: await db.selectFrom('callback_events').select(['id', 'event', 'seq']).orderBy('id').execute(),
    notifications: await db.selectFrom('provider_notifications').select(['dedupe_key']).orderBy('dedupe_key').execute(),
    alerts: except.includes('alerts') ? null : await db.selectFrom('alerts').select(['kind', 'dedupe_key']).orderBy('dedupe_key').execute(),
    policies: await db.selectFrom('policies').select(['policy_no', 'coverage_left_fen']).orderBy('policy_no').execute(),
    quota: { PICC: await quota.remaining('PICC'), PAIC: await quota.remaining('PAIC') },
  });
}
