// Admin API: orders and their timeline, callbacks (log, replay, test), partners, users (PIN unlock).
import { CallbackQuery, OrderQuery, PartnerCreate, PartnerHosts, PartnerRotate, PinUnlock, TestCallback } from '@zf/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { validate } from '../../http/validation.ts';
import { listUsers } from '../balance/pin-admin.repository.ts';
import { deliveriesOf, listEvents } from '../callback/callback-admin.repository.ts';
import { searchOrders } from '../order/order-admin.repository.ts';
import { requireAdmin, type AdminEnv } from './admin-access.ts';
import { replayDeadOfPartner, replayEvent, sendTestCallback } from './admin-callbacks.service.ts';
import { unlockUserPin } from './admin-handling.service.ts';
import { createPartner, partners, rotateSecret, setDisabled, setHosts } from './admin-partners.service.ts';
import { orderTimeline } from './admin-reads.service.ts';
import { eventView, orderView, pageOf, paged, shanghaiDate } from './admin-views.ts';

const Id = z.object({ id: z.string().min(1).max(64) });
const OrderNo = z.object({ orderNo: z.string().min(1).max(32) });
const UserQuery = z.object({
  q: z.string().max(64).optional(),
  locked: z.enum(['1', '0']).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
const TestBody = TestCallback.extend({ url: z.string().url().max(512) });

export const adminOpsRoutes = (deps: Deps) => {
  const read = requireAdmin(deps, 'read');
  const operate = requireAdmin(deps, 'operate');
  const finance = requireAdmin(deps, 'finance');
  return new Hono<AdminEnv>()
    .get('/admin/orders', read, validate('query', OrderQuery), async (c) => {
      const q = c.req.valid('query');
      const day = q.date ? shanghaiDate(q.date) : undefined;
      const filter = {
        q: q.q,
        orderNo: q.order_no,
        referNo: q.refer_no,
        claimNo: q.claim_no,
        partnerId: q.partner_id,
        status: q.status,
        from: day?.from,
        to: day?.to,
      };
      const { rows, total } = await searchOrders(deps.db, filter, pageOf(q).limit, pageOf(q).offset);
      return c.json(paged(rows.map(orderView), total, q), 200);
    })
    .get('/admin/orders/:orderNo', read, validate('param', OrderNo), async (c) =>
      c.json(await orderTimeline(deps, c.req.valid('param').orderNo), 200),
    )
    .get('/admin/callbacks', read, validate('query', CallbackQuery), async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await listEvents(
        deps.db,
        { partnerId: q.partner_id, status: q.status, orderNo: q.order_no },
        pageOf(q).limit,
        pageOf(q).offset,
      );
      const deliveries = await deliveriesOf(
        deps.db,
        rows.map((r) => r.id),
      );
      return c.json(
        paged(
          rows.map((r) => eventView(r, deliveries)),
          total,
          q,
        ),
        200,
      );
    })
    .post('/admin/callbacks/:id/replay', operate, validate('param', Id), async (c) =>
      c.json(await replayEvent(deps, c.get('admin'), c.req.valid('param').id), 200),
    )
    .post('/admin/partners/:id/callbacks/replay-dead', operate, validate('param', Id), async (c) =>
      c.json(await replayDeadOfPartner(deps, c.get('admin'), c.req.valid('param').id), 200),
    )
    .post('/admin/partners/:id/callbacks/test', operate, validate('param', Id), validate('json', TestBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await sendTestCallback(deps, c.get('admin'), c.req.valid('param').id, body.event, body.url), 200);
    })
    .get('/admin/partners', read, async (c) => c.json({ items: await partners(deps) }, 200))
    .post('/admin/partners', finance, validate('json', PartnerCreate), async (c) => {
      c.header('cache-control', 'no-store');
      return c.json(await createPartner(deps, c.get('admin'), c.req.valid('json')), 201);
    })
    .post('/admin/partners/:id/disable', finance, validate('param', Id), async (c) =>
      c.json(await setDisabled(deps, c.get('admin'), c.req.valid('param').id, true), 200),
    )
    .post('/admin/partners/:id/enable', finance, validate('param', Id), async (c) =>
      c.json(await setDisabled(deps, c.get('admin'), c.req.valid('param').id, false), 200),
    )
    .put('/admin/partners/:id/hosts', finance, validate('param', Id), validate('json', PartnerHosts), async (c) =>
      c.json(await setHosts(deps, c.get('admin'), c.req.valid('param').id, c.req.valid('json').callback_hosts), 200),
    )
    .post('/admin/partners/:id/rotate', finance, validate('param', Id), validate('json', PartnerRotate), async (c) => {
      c.header('cache-control', 'no-store');
      return c.json(await rotateSecret(deps, c.get('admin'), c.req.valid('param').id, c.req.valid('json').which), 200);
    })
    .get('/admin/users', read, validate('query', UserQuery), async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await listUsers(deps.db, q.q, q.locked === '1', pageOf(q).limit, pageOf(q).offset);
      return c.json(
        paged(
          rows.map((u) => ({
            id: u.id,
            name: u.name,
            claim_nos: u.claim_nos ? u.claim_nos.split(',') : [],
            pin_failed: u.pin_failed,
            pin_locked_at: u.pin_locked_at,
          })),
          total,
          q,
        ),
        200,
      );
    })
    .post('/admin/users/:id/unlock-pin', operate, validate('param', Id), validate('json', PinUnlock), async (c) =>
      c.json(await unlockUserPin(deps, c.get('admin'), c.req.valid('param').id, c.req.valid('json').reason), 200),
    );
};
