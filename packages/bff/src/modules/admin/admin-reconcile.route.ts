// Admin API: reconciliation runs — the list (paginated), one run with its differences, 立即对账 for a window.
// Reads: every role; running: operator and finance (audited).
import { AdminReconcileQuery, AdminReconcileRun } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { validate } from '../../http/validation.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import { reconcileNow, reconcileRun, reconcileRuns } from './admin-reconcile.service.ts';
import { pageOf, paged } from './admin-views.ts';

const Id = z.object({ id: z.string().min(1).max(32) });

export const adminReconcileRoutes = (deps: Deps) => {
  const read = requireAdmin(deps, 'read');
  const operate = requireAdmin(deps, 'operate');
  return new Hono<AdminEnv>()
    .get('/admin/reconcile/runs', read, validate('query', AdminReconcileQuery), async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await reconcileRuns(deps, pageOf(q).limit, pageOf(q).offset);
      return c.json(paged(rows, total, q), 200);
    })
    .get('/admin/reconcile/runs/:id', read, validate('param', Id), async (c) =>
      c.json(await reconcileRun(deps, c.req.valid('param').id), 200),
    )
    .post('/admin/reconcile/runs', operate, validate('json', AdminReconcileRun), async (c) =>
      c.json(await reconcileNow(deps, c.get('admin'), c.req.valid('json')), 202),
    );
};
