// Mounted at /api/partner/v1: the partner's server API, every request signed (partner-auth.ts).
import { PartnerOrderParam, PartnerOrdersQuery, PartnerRefundParam, RefundRequest } from '@zf/shared';
import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { validate } from '../../http/validation.ts';
import { requirePartnerSignature, type PartnerEnv } from './partner-auth.ts';
import { partnerOrder, partnerOrdersOfRefer, partnerRefund, partnerRequestRefund } from './partner.service.ts';

export function partnerRoutes(deps: Deps) {
  return new Hono<PartnerEnv>()
    .use('*', requirePartnerSignature(deps))
    .get('/orders/:order_no', validate('param', PartnerOrderParam), async (c) =>
      c.json({ order: await partnerOrder(deps, c.get('partnerId'), c.req.valid('param').order_no) }, 200),
    )
    .get('/orders', validate('query', PartnerOrdersQuery), async (c) =>
      c.json({ orders: await partnerOrdersOfRefer(deps, c.get('partnerId'), c.req.valid('query').refer_no) }, 200),
    )
    .post('/refunds', validate('json', RefundRequest), async (c) => {
      const { refund, created } = await partnerRequestRefund(deps, c.get('partnerId'), c.req.valid('json'));
      return c.json({ refund }, created ? 201 : 200);
    })
    .get('/refunds/:no', validate('param', PartnerRefundParam), async (c) =>
      c.json({ refund: await partnerRefund(deps, c.get('partnerId'), c.req.valid('param').no) }, 200),
    );
}
