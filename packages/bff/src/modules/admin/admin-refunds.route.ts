// Admin API: refunds — the list (status, waiting for an admin, partner, order, day), refunding an order, retrying a
// failed refund, completing a refund task, refunding an extra provider payment. Reads: every role; actions: finance.
import { AdminRefundCreate, AdminRefundQuery, parsePositiveYuan } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { validate } from '../../http/validation.ts';
import { listRefunds } from '../refund/refund-admin.repository.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import {
  adminCompleteRefundTask,
  adminRefundAttempt,
  adminRefundOrder,
  adminRetryRefund,
  refundAdminView,
} from './admin-refunds.service.ts';
import { pageOf, paged, shanghaiDate } from './admin-views.ts';

const No = z.object({ no: z.string().min(1).max(32) });
const Id = z.object({ id: z.string().min(1).max(64) });
const OrderNo = z.object({ orderNo: z.string().min(1).max(32) });

export const adminRefundRoutes = (deps: Deps) => {
  const read = requireAdmin(deps, 'read');
  const finance = requireAdmin(deps, 'finance');
  return new Hono<AdminEnv>()
    .get('/admin/refunds', read, validate('query', AdminRefundQuery), async (c) => {
      const q = c.req.valid('query');
      const day = q.date ? shanghaiDate(q.date) : undefined;
      const filter = { status: q.status, task: q.task === '1', partnerId: q.partner_id, orderNo: q.order_no, from: day?.from, to: day?.to };
      const { rows, total } = await listRefunds(deps.db, filter, pageOf(q).limit, pageOf(q).offset);
      return c.json(paged(rows.map(refundAdminView), total, q), 200);
    })
    .post('/admin/orders/:orderNo/refunds', finance, validate('param', OrderNo), validate('json', AdminRefundCreate), async (c) => {
      const body = c.req.valid('json');
      const amountFen = parsePositiveYuan(body.amount) ?? fail('ZF0010', 'amount');
      const out = await adminRefundOrder(deps, c.get('admin'), c.req.valid('param').orderNo, {
        amountFen,
        reason: body.reason,
        refundNo: body.refund_no,
      });
      return c.json(out, out.created ? 201 : 200);
    })
    .post('/admin/refunds/:no/retry', finance, validate('param', No), async (c) =>
      c.json(await adminRetryRefund(deps, c.get('admin'), c.req.valid('param').no), 200),
    )
    .post('/admin/refunds/:no/complete', finance, validate('param', No), async (c) =>
      c.json(await adminCompleteRefundTask(deps, c.get('admin'), c.req.valid('param').no), 200),
    )
    .post('/admin/attempts/:id/refund', finance, validate('param', Id), async (c) =>
      c.json(await adminRefundAttempt(deps, c.get('admin'), c.req.valid('param').id), 200),
    );
};
