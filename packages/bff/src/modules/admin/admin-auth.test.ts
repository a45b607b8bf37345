import { describe, expect, it } from 'vitest';
import { adminRequest, createRoleAdmins, signInAs, TEST_PASSWORD } from '../../../testing/admin.ts';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { loadConfig } from '../../env.ts';
import { MAX_FAILURES_PER_IP, MAX_FAILURES_PER_USER } from './admin-auth.service.ts';

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

  it('limits failed sign-ins per user: even the right password is refused until the window passes', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_USER; i++)
      await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: `bad-${i}` });
    const locked = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'admin123' });
    expect([locked.status, locked.body.code]).toEqual([429, 'ZF0260']);
    ctx().clock.advance(15 * 60_000 + 1);
    const again = await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'admin', password: 'admin123' });
    expect(again.status).toBe(201);
  });

  it('limits failed sign-ins per IP across usernames (kept in the database)', async () => {
    await createRoleAdmins(ctx());
    const fromIp = (username: string, password: string) =>
      ctx().app.request(
        '/api/admin/session',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) },
        { incoming: { socket: { remoteAddress: '10.9.8.7', remotePort: 1, remoteFamily: 'IPv4' } } },
      );
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) await fromIp(`u${i % 7}`, 'wrong');
    const res = await fromIp('op', TEST_PASSWORD);
    expect(res.status).toBe(429);
    // Another address is not affected.
    expect((await adminRequest(ctx(), undefined, 'POST', '/api/admin/session', { username: 'op', password: TEST_PASSWORD })).status).toBe(
      201,
    );
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
