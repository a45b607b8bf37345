// POST /api/admin/session (sign in), GET (who am I), DELETE (sign out).
import { AdminSignIn } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { validate } from '../../http/validation.ts';
import { RateLimited } from '../ratelimit/ratelimit.service.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import { signIn, signOut } from './admin-auth.service.ts';

export const adminSessionRoutes = (deps: Deps) =>
  new Hono<AdminEnv>()
    .post('/admin/session', validate('json', AdminSignIn), async (c) => {
      const { username, password } = c.req.valid('json');
      // The sign-in limits are per IP (the socket's, or X-Forwarded-For behind TRUST_PROXY_HOPS) and per username.
      const s = await signIn(deps, username, password, clientIp(c, deps.config.trustProxyHops)).catch((err: unknown) => {
        if (err instanceof RateLimited) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
        throw err;
      });
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
