// The admin API under /api/admin/*: sign-in, then one sub-app per group of console pages, each route with its role check.
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import type { AdminEnv } from './admin-access.ts';
import { adminMoneyRoutes } from './admin-money.route.ts';
import { adminOpsRoutes } from './admin-ops.route.ts';
import { adminReconcileRoutes } from './admin-reconcile.route.ts';
import { adminRefundRoutes } from './admin-refunds.route.ts';
import { adminSessionRoutes } from './admin-session.route.ts';

export const adminRoutes = (deps: Deps) =>
  new Hono<AdminEnv>()
    .route('/', adminSessionRoutes(deps))
    .route('/', adminMoneyRoutes(deps))
    .route('/', adminOpsRoutes(deps))
    .route('/', adminRefundRoutes(deps))
    .route('/', adminReconcileRoutes(deps));
