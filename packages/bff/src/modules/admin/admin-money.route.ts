// Admin API: overview, alerts, manual clearing, insurers, ledger and the audit log.
import {
  AlertQuery,
  AlertResolve,
  AuditQuery,
  ClearingRecharge,
  InsurerRecharge,
  InsurerWarning,
  parsePositiveYuan,
  parseYuan,
} from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { validate } from '../../http/validation.ts';
import { listAlerts, listClearingTasks } from '../alert/alert-admin.repository.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import { completeClearingTask, rechargeClearing, rechargeInsurer } from './admin-clearing.service.ts';
import { acknowledge, resolve, setWarningLevel } from './admin-handling.service.ts';
import { insurerDetail, insurers, ledger, overview } from './admin-reads.service.ts';
import { listAudit } from './admin.repository.ts';
import { alertView, pageOf, paged, shanghaiDate, taskView } from './admin-views.ts';

const Id = z.object({ id: z.string().min(1).max(64) });
const Ic = z.object({ ic: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/) });
const TaskQuery = z.object({
  status: z.enum(['open', 'done']).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
const fen = (yuan: string) => parsePositiveYuan(yuan) ?? fail('ZF0010', 'amount');

export const adminMoneyRoutes = (deps: Deps) => {
  const read = requireAdmin(deps, 'read');
  const operate = requireAdmin(deps, 'operate');
  const finance = requireAdmin(deps, 'finance');
  return new Hono<AdminEnv>()
    .get('/admin/overview', read, async (c) => c.json(await overview(deps), 200))
    .get('/admin/alerts', read, validate('query', AlertQuery), async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await listAlerts(
        deps.db,
        { kind: q.kind, status: q.status, orderNo: q.order_no },
        pageOf(q).limit,
        pageOf(q).offset,
      );
      return c.json(paged(rows.map(alertView), total, q), 200);
    })
    .post('/admin/alerts/:id/acknowledge', operate, validate('param', Id), async (c) =>
      c.json(await acknowledge(deps, c.get('admin'), c.req.valid('param').id), 200),
    )
    .post('/admin/alerts/:id/resolve', operate, validate('param', Id), validate('json', AlertResolve), async (c) =>
      c.json(await resolve(deps, c.get('admin'), c.req.valid('param').id, c.req.valid('json').note), 200),
    )
    .get('/admin/clearing/tasks', read, validate('query', TaskQuery), async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await listClearingTasks(deps.db, q.status, pageOf(q).limit, pageOf(q).offset);
      const now = deps.clock.now();
      return c.json(
        paged(
          rows.map((t) => taskView(t, now)),
          total,
          q,
        ),
        200,
      );
    })
    .post('/admin/clearing/tasks/:id/complete', operate, validate('param', Id), async (c) =>
      c.json(await completeClearingTask(deps, c.get('admin'), c.req.valid('param').id), 200),
    )
    .post('/admin/clearing/recharge', finance, validate('json', ClearingRecharge), async (c) => {
      const body = c.req.valid('json');
      return c.json(await rechargeClearing(deps, c.get('admin'), fen(body.amount), body.reference), 200);
    })
    .get('/admin/insurers', read, async (c) => c.json({ items: await insurers(deps) }, 200))
    .get('/admin/insurers/:ic', read, validate('param', Ic), async (c) => c.json(await insurerDetail(deps, c.req.valid('param').ic), 200))
    .post('/admin/insurers/:ic/recharge', finance, validate('param', Ic), validate('json', InsurerRecharge), async (c) => {
      const body = c.req.valid('json');
      return c.json(await rechargeInsurer(deps, c.get('admin'), c.req.valid('param').ic, fen(body.amount), body.reference), 200);
    })
    .put('/admin/insurers/:ic/warning', finance, validate('param', Ic), validate('json', InsurerWarning), async (c) => {
      const body = c.req.valid('json');
      const warning = parseYuan(body.warning_amount) ?? fail('ZF0010', 'warning');
      const critical = body.critical_amount === undefined ? undefined : (parseYuan(body.critical_amount) ?? fail('ZF0010', 'critical'));
      return c.json(await setWarningLevel(deps, c.get('admin'), c.req.valid('param').ic, warning, critical), 200);
    })
    .get('/admin/ledger', read, async (c) => c.json(await ledger(deps), 200))
    .get('/admin/audit', read, validate('query', AuditQuery), async (c) => {
      const q = c.req.valid('query');
      const day = q.date ? shanghaiDate(q.date) : undefined;
      const { rows, total } = await listAudit(
        deps.db,
        { actor: q.actor, action: q.action, target: q.target, from: day?.from, to: day?.to },
        pageOf(q).limit,
        pageOf(q).offset,
      );
      const items = rows.map((r) => ({
        id: r.id,
        actor: r.actor,
        role: r.role,
        action: r.action,
        target: r.target,
        note: r.detail,
        before: r.before_json,
        after: r.after_json,
        request_id: r.request_id,
        at: Number(r.created_at),
      }));
      return c.json(paged(items, total, q), 200);
    });
};
