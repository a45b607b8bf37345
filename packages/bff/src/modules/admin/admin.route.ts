// The admin API under /api/admin/*: one sub-app per console page, each route with its role check.
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AdminEnv } from './admin-access.ts';
import { adminSessionRoutes } from './admin-session.route.ts';

export const adminRoutes = (deps: Deps) => new Hono<AdminEnv>().route('/', adminSessionRoutes(deps));
