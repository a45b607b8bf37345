import { describe, expect, it } from 'vitest';
import { adminRequest, createRoleAdmins, signInAs, TEST_PASSWORD } from '../../../testing/admin.ts';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { createApp } from '../../app.ts';
import { createRuntime } from '../../bootstrap.ts';
import { loadConfig, testConfig } from '../../env.ts';
import { createLogger } from '../../lib/logger.ts';

describeEachDatabase('admin sign-in', (ctx) => {
  it('signs the demo admin in with a zfa_ token whose hash alone is stored', async () => {
    const res = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'admin123' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'admin', role: 'finance' });
    expect(res.body.token).toMatch(/^zfa_/);
    const stored = await ctx().deps.db.selectFrom('admin_sessions').select('token_hash').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(res.body.token);
    const me = await adminRequest(ctx(), res.body.token, 'GET', '/api/admin/session');
    expect(me).toEqual({ status: 200, body: { username: 'admin', role: 'finance' } });
  });

  it('refuses a wrong password and an unknown user with the same code', async () => {
    const wrong = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'nope' });
    const unknown = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'ghost', password: 'nope' });
    expect([wrong.status, wrong.body.code, unknown.status, unknown.body.code]).toEqual([401, 'ZF0262', 401, 'ZF0262']);
    expect(await ctx().deps.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(0);
  });

  it('limits sign-ins per user (RATE_LIMIT_ADMIN_SIGNIN_PER_USER, 10 / 15 min): past it even the right password gets ZF0120', async () => {
    const rule = ctx().deps.config.rateLimits.admin_signin_per_user;
    expect(rule).toEqual({ limit: 10, windowMs: 900_000 });
    for (let i = 0; i < rule.limit; i++)
      expect((await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: `bad-${i}` })).status).toBe(
        401,
      );
    // Another spelling of the same name is the same subject.
    const locked = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'ADMIN', password: 'admin123' });
    expect([locked.status, locked.body.code]).toEqual([429, 'ZF0120']);
    const right = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'admin123' });
    expect([right.status, right.body.code]).toEqual([429, 'ZF0120']);
    expect(await ctx().deps.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(0);
    ctx().clock.advance(rule.windowMs);
    const again = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'admin123' });
    expect(again.status).toBe(201);
  });

  it('counts before the password check: 25 parallel guesses, the right one among them, let exactly 10 be checked', async () => {
    const guesses = Array.from({ length: 25 }, (_, i) => (i === 20 ? 'admin123' : `guess-${i}`));
    const answers = await Promise.all(
      guesses.map((password) => adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password })),
    );
    expect(answers.filter((a) => a.status === 429 && a.body.code === 'ZF0120')).toHaveLength(15);
    expect(answers.filter((a) => a.status === 401 || a.status === 201)).toHaveLength(10);
  });

  it('limits sign-ins per IP across usernames (RATE_LIMIT_ADMIN_SIGNIN_PER_IP, 30 / 15 min); another address is not affected', async () => {
    await createRoleAdmins(ctx());
    const fromIp = (username: string, password: string) =>
      ctx().app.request(
        '/api/admin/session',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) },
        { incoming: { socket: { remoteAddress: '10.9.8.7', remotePort: 1, remoteFamily: 'IPv4' } } },
      );
    const rule = ctx().deps.config.rateLimits.admin_signin_per_ip;
    expect(rule).toEqual({ limit: 30, windowMs: 900_000 });
    for (let i = 0; i < rule.limit; i++) expect((await fromIp(`u${i % 7}`, 'wrong')).status).toBe(401);
    const res = await fromIp('op', TEST_PASSWORD);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: string }).code).toBe('ZF0120');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'op', password: TEST_PASSWORD })).status).toBe(
      201,
    );
  });

  it('one limit for two app instances on one database (separate runtimes and pools on MariaDB)', async () => {
    const c = ctx();
    const second =
      c.db === 'mariadb'
        ? await createRuntime(testConfig({ DATABASE_URL: c.deps.config.databaseUrl, SEED_DEMO: 'true' }), {
            clock: c.clock,
            logger: createLogger('silent'),
          })
        : null;
    try {
      const apps = [c.app, createApp(second?.deps ?? c.deps)];
      const answers = await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const res = await apps[i % 2]!.request('/api/admin/session', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'admin', password: `wrong-${i}` }),
          });
          return ((await res.json()) as { code: string }).code;
        }),
      );
      expect(answers.filter((code) => code === 'ZF0262')).toHaveLength(10);
      expect(answers.filter((code) => code === 'ZF0120')).toHaveLength(6);
      // Both instances now refuse the right password.
      for (const app of apps) {
        const res = await app.request('/api/admin/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'admin123' }),
        });
        expect(res.status).toBe(429);
      }
    } finally {
      await second?.close();
    }
  });

  it('expires sessions after the idle timeout and on logout', async () => {
    const admin = await signInAs(ctx(), 'admin', 'admin123');
    ctx().clock.advance(29 * 60_000);
    expect((await admin('GET', '/api/admin/session')).status).toBe(200);
    ctx().clock.advance(29 * 60_000);
    expect((await admin('GET', '/api/admin/session')).status).toBe(200);
    ctx().clock.advance(31 * 60_000);
    expect((await admin('GET', '/api/admin/session')).body.code).toBe('ZF0160');

    const second = await signInAs(ctx(), 'admin', 'admin123');
    expect((await second('DELETE', '/api/admin/session')).status).toBe(200);
    expect((await second('GET', '/api/admin/session')).status).toBe(401);
  });

  it('never takes a wallet session for an admin one, nor the reverse', async () => {
    const { token: walletToken } = await ctx().enter();
    expect((await adminRequest(ctx(), walletToken, 'GET', '/api/admin/session')).body.code).toBe('ZF0160');
    const byBearer = await ctx().app.request('/api/admin/session', { headers: { authorization: `Bearer ${walletToken}` } });
    expect(byBearer.status).toBe(401);
    const admin = await signInAs(ctx(), 'admin', 'admin123');
    const asWallet = await ctx().call('GET', '/api/orders', admin.token);
    expect(asWallet.status).toBe(401);
  });
});

describe('production and the demo admin', () => {
  it('a demo admin cannot sign in when NODE_ENV=production (its row would also stop the server starting)', () => {
    // The server refuses to start with a demo admin row (server.ts); the config also refuses to seed one.
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'mysql://u:p@127.0.0.1/x',
        SESSION_SECRET: 'a-real-secret-of-length',
        SEED_DEMO: 'true',
      }),
    ).toThrow(/SEED_DEMO/);
  });
});
