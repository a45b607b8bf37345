// Abuse limits (issue 12): database counters that are atomic under parallel hits, hold across two app instances on one
// database, answer ZF0120 (429, Retry-After) and come from config. IPs come from X-Forwarded-For only when trusted.
import { expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { createRuntime } from '../../bootstrap.ts';
import { loadConfig, testConfig } from '../../env.ts';
import { createLogger } from '../../lib/logger.ts';
import { describeEachDatabase, snapshot, type TestContext } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { connect } from '../../db/database.ts';
import { rateLimit, rateLimitAll } from './ratelimit.service.ts';

const LIMITS = {
  TRUST_PROXY_HOPS: '1',
  RATE_LIMIT_SESSION_PER_IP: '3/60',
  RATE_LIMIT_SESSION_PER_PARTNER: '5/60',
  RATE_LIMIT_PIN_PER_USER: '3/900',
  RATE_LIMIT_PIN_PER_IP: '4/900',
  RATE_LIMIT_ORDER_PER_SESSION: '2/60',
  RATE_LIMIT_NOTIFY_PER_IP: '2/60',
};

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

async function post(app: App, path: string, body: unknown, ip: string, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': `6.6.6.6, ${ip}` }; // one trusted hop: the forged left entry is ignored
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await app.request(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text.startsWith('{') ? JSON.parse(text) : text };
}

const session = (ctx: TestContext, ip: string, overrides: Record<string, string> = {}, app: App = ctx.app) =>
  post(app, '/api/session', { params: ctx.linkParams(overrides) }, ip);

describeEachDatabase(
  'abuse limits',
  (get) => {
    it('counts each window in one statement of its own (MySQL: no transaction holding a hot per-IP counter), exactly', async () => {
      const ctx = get();
      const statements: string[] = [];
      // Its own connection to the same database, with Kysely's query log (SQLite in memory: the test's own handle).
      const own = ctx.db === 'mariadb' ? connect(ctx.deps.config.databaseUrl, (e) => void statements.push(e.query.sql)) : null;
      const deps = own ? { db: own.db, dialect: ctx.deps.dialect, clock: ctx.clock } : ctx.deps;
      try {
        const hits = [
          { key: 'test:one-statement:ip', limit: 3, windowMs: 60_000 },
          { key: 'test:one-statement:user', limit: 5, windowMs: 60_000 },
        ];
        for (let n = 1; n <= 4; n++) {
          const [ip, user] = await rateLimitAll(deps, hits);
          expect([ip!.count, ip!.allowed, user!.count, user!.allowed]).toEqual([n, n <= 3, n, true]);
        }
        if (own) {
          // Before: begin, one upsert of both, a read, commit — 4 round trips with the counters' rows locked.
          expect(statements).toHaveLength(8);
          expect(statements.every((q) => /^INSERT INTO rate_limits .* LAST_INSERT_ID\(hits \+ 1\)$/.test(q))).toBe(true);
        }
      } finally {
        await own?.destroy();
      }
    });

    it('counts atomically: 30 parallel hits on a limit of 7 let exactly 7 through; the next window starts afresh', async () => {
      const ctx = get();
      const results = await Promise.all(Array.from({ length: 30 }, () => rateLimit(ctx.deps, 'test:parallel', 7, 60_000)));
      expect(results.filter((r) => r.allowed)).toHaveLength(7);
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      ctx.clock.advance(60_000);
      expect((await rateLimit(ctx.deps, 'test:parallel', 7, 60_000)).allowed).toBe(true);
    });

    it("limits deep-link sessions per IP (ZF0120, 429, Retry-After) and per partner; forged links do not use up the partner's", async () => {
      const ctx = get();
      for (let i = 0; i < 3; i++) expect((await session(ctx, '198.51.100.7')).status).toBe(200);
      const refused = await session(ctx, '198.51.100.7');
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('ZF0120');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // Forged links from many IPs: refused as forged (ZF0020), and not counted against the demo partner.
      for (let i = 0; i < 6; i++)
        expect((await post(ctx.app, '/api/session', { params: ctx.linkParams({}, 'wrong-secret') }, `203.0.113.${i}`)).body.code).toBe(
          'ZF0020',
        );
      expect((await session(ctx, '192.0.2.1')).status).toBe(200);
      expect((await session(ctx, '192.0.2.2')).status).toBe(200);
      const partnerFull = await session(ctx, '192.0.2.3');
      expect(partnerFull.body.code).toBe('ZF0120'); // 5 sessions of the demo partner this minute
      ctx.clock.advance(60_000);
      expect((await session(ctx, '198.51.100.7')).status).toBe(200);
    });

    it('limits PIN attempts per user and per IP: past the limit even the right PIN is refused with ZF0120 and nothing is paid', async () => {
      const ctx = get();
      const { token } = await session(ctx, '198.51.100.1').then((r) => ({ token: r.body.token as string }));
      const created = await post(ctx.app, '/api/orders', { policy_no: 'POL-PICC-001' }, '198.51.100.1', token);
      const orderNo = created.body.order.order_no as string;
      for (let i = 0; i < 3; i++)
        expect(
          (await post(ctx.app, `/api/orders/${orderNo}/pay/balance`, { pin: '000000' }, `198.51.100.${10 + i}`, token)).body.code,
        ).toBe('ZF0090');
      const before = await snapshot(ctx);
      const limited = await post(ctx.app, `/api/orders/${orderNo}/pay/balance`, { pin: DEMO.pin }, '198.51.100.20', token);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('ZF0120');
      expect(await snapshot(ctx)).toBe(before);
      ctx.clock.advance(900_000);
      expect((await post(ctx.app, `/api/orders/${orderNo}/pay/balance`, { pin: DEMO.pin }, '198.51.100.20', token)).status).toBe(200);
    });

    it('limits order creation per session and provider notifies per IP', async () => {
      const ctx = get();
      const s = await session(ctx, '198.51.100.2');
      const token = s.body.token as string;
      expect((await post(ctx.app, '/api/orders', { policy_no: 'POL-PICC-001' }, '198.51.100.2', token)).status).toBe(201);
      expect((await post(ctx.app, '/api/orders', { policy_no: 'POL-PICC-001' }, '198.51.100.2', token)).status).toBe(200);
      expect((await post(ctx.app, '/api/orders', { policy_no: 'POL-PICC-001' }, '198.51.100.3', token)).body.code).toBe('ZF0120');
      for (let i = 0; i < 2; i++)
        expect((await post(ctx.app, '/api/providers/payzero/notify', { junk: true }, '198.51.100.9')).status).toBe(400);
      const notify = await post(ctx.app, '/api/providers/payzero/notify', { junk: true }, '198.51.100.9');
      expect(notify.status).toBe(429);
      expect(notify.body.code).toBe('ZF0120');
      expect((await post(ctx.app, '/api/providers/guanaitong/notify', {}, '198.51.100.9')).status).toBe(400); // its own counter
      expect((await post(ctx.app, '/api/providers/payzero/notify', { junk: true }, '198.51.100.8')).status).toBe(400);
    });

    it('holds across two app instances on one database', async () => {
      const ctx = get();
      // On MariaDB the second instance is a separate runtime with its own connection pool; SQLite in memory has one.
      const second =
        ctx.db === 'mariadb'
          ? await createRuntime(testConfig({ DATABASE_URL: ctx.deps.config.databaseUrl, SEED_DEMO: 'true', ...LIMITS }), {
              clock: ctx.clock,
              logger: createLogger('silent'),
            })
          : null;
      try {
        const apps: App[] = [ctx.app, createApp(second?.deps ?? ctx.deps)];
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => session(ctx, '198.51.100.77', {}, apps[i % 2]!)));
        expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
        expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
      } finally {
        await second?.close();
      }
    });
  },
  LIMITS,
);

it('takes X-Forwarded-For only behind a trusted proxy, and the limits from config with documented defaults', async () => {
  const defaults = loadConfig({ NODE_ENV: 'test' });
  expect(defaults.trustProxyHops).toBe(0);
  expect(defaults.rateLimits.session_per_ip).toEqual({ limit: 30, windowMs: 60_000 });
  expect(defaults.rateLimits.pin_per_user).toEqual({ limit: 20, windowMs: 900_000 });
  expect(loadConfig({ NODE_ENV: 'test', RATE_LIMIT_SESSION_PER_IP: '5000/1' }).rateLimits.session_per_ip).toEqual({
    limit: 5000,
    windowMs: 1000,
  });
  expect(() => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_PIN_PER_IP: 'lots' })).toThrow(/RATE_LIMIT_PIN_PER_IP/);
});
