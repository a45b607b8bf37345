// Role checks for the admin API: every route declares what it needs, the middleware refuses the rest.
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { authenticate, type AdminActor } from './admin-auth.service.ts';
import type { AdminRole } from './admin.table.ts';

/** `read`: every role; `operate`: alerts, tasks, replays, PIN unlocks; `finance`: also money and partner secrets. */
export type Permission = 'read' | 'operate' | 'finance';

const GRANTS: Record<AdminRole, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  finance: ['read', 'operate', 'finance'],
};

export const can = (role: AdminRole, permission: Permission): boolean => GRANTS[role].includes(permission);

export const ADMIN_TOKEN_HEADER = 'x-admin-token';

export interface AdminEnv {
  Variables: AppEnv['Variables'] & { admin: AdminActor };
}

/** Requires an admin session (header `x-admin-token`, never the wallet's bearer token) whose role has `permission`. */
export const requireAdmin = (deps: Deps, permission: Permission): MiddlewareHandler<AdminEnv> =>
  async function adminMiddleware(c, next) {
    const actor = await authenticate(deps, c.req.header(ADMIN_TOKEN_HEADER), c.get('requestId'));
    if (!can(actor.role, permission)) fail('ZF0261', `${actor.role} may not ${permission}`);
    c.set('admin', actor);
    await next();
  };
