// Mounted at /api: the session user's valid policies and the quote under one of them.
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { requireSession } from '../../http/session-token.ts';
import { validate } from '../../http/validation.ts';
import { listValidPolicies, quotePolicy } from './policy.service.ts';

const PolicyParam = z.object({ policyNo: z.string().min(1).max(64) });

export function policyRoutes(deps: Deps) {
  const authed = requireSession(deps);
  return new Hono<AppEnv>()
    .get('/policies', authed, async (c) => c.json(await listValidPolicies(deps, c.get('session')), 200))
    .get('/policies/:policyNo/quote', authed, validate('param', PolicyParam), async (c) =>
      c.json(await quotePolicy(deps, c.get('session'), c.req.valid('param').policyNo), 200),
    );
}
