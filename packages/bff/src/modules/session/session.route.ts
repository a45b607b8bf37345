// Mounted at /api: `POST /session` (a signed deep link → a session) and `GET /entry` (where a resumed session goes).
import { SessionRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { validate } from '../../http/validation.ts';
import { limitPerIp } from '../ratelimit/ratelimit.service.ts';
import { entryForSession, openSession } from './session.service.ts';

export function sessionRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .post('/session', limitPerIp(deps, 'session_per_ip'), validate('json', SessionRequest), async (c) =>
      c.json(await openSession(deps, c.req.valid('json').params), 200),
    )
    .get('/entry', requireSession(deps), async (c) => c.json({ next: await entryForSession(deps, c.get('session')) }, 200));
}
