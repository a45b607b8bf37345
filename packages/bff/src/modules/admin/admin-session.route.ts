// POST /api/admin/session (sign in), GET (who am I), DELETE (sign out).
import { getConnInfo } from '@hono/node-server/conninfo';
import { AdminSignIn } from '@zf/shared';
import { Hono, type Context } from 'hono';
import type { Deps } from '../../deps.ts';
import { validate } from '../../http/validation.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import { signIn, signOut } from './admin-auth.service.ts';

/** The peer address of the request (the limits are per IP); `unknown` outside a Node server (tests without one). */
function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const adminSessionRoutes = (deps: Deps) =>
  new Hono<AdminEnv>()
    .post('/admin/session', validate('json', AdminSignIn), async (c) => {
      const { username, password } = c.req.valid('json');
      const s = await signIn(deps, username, password, clientIp(c));
      c.header('cache-control', 'no-store');
      return c.json({ token: s.token, username: s.username, role: s.role, expires_at: s.expiresAt }, 201);
    })
    .get('/admin/session', requireAdmin(deps, 'read'), (c) => {
      const a = c.get('admin');
      return c.json({ username: a.username, role: a.role }, 200);
    })
    .delete('/admin/session', requireAdmin(deps, 'read'), async (c) => {
      await signOut(deps, c.get('admin'));
      return c.json({ ok: true }, 200);
    });
