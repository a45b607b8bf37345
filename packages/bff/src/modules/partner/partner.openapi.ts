// The partner contract as an OpenAPI 3.1 document, generated from the very zod values the routes validate with and
// answer in (packages/shared): the server API, the callback (a webhook) and the deep link.
//
// Why zod 4's own `z.toJSONSchema` and not @hono/zod-openapi / hono-openapi: OpenAPI 3.1's schema dialect is JSON
// Schema 2020-12, which zod 4.6 emits natively; the two libraries would mean rewriting every route with their own
// route builders (@hono/zod-openapi) or adding a standard-schema converter chain (hono-openapi) to get the same JSON
// Schema. A test (partner.openapi.test.ts) proves every route the app mounts is in the document.
import {
  CallbackPayload,
  ERROR_CATALOGUE,
  LinkParams,
  PartnerOrderAnswer,
  PartnerOrderParam,
  PartnerOrdersAnswer,
  PartnerOrdersQuery,
  PartnerRefundParam,
  RefundAnswer,
  RefundRequest,
} from '@zf/shared';
import { PARTNER_API_HEADERS } from '@zf/shared/partner';
import { z } from 'zod';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
const errors = (codes: Array<keyof typeof ERROR_CATALOGUE>) =>
  Object.fromEntries(
    [...new Set(codes.map((c) => ERROR_CATALOGUE[c].status))].map((status) => [
      String(status),
      json(
        'Error',
        codes
          .filter((c) => ERROR_CATALOGUE[c].status === status)
          .map((c) => `${c}: ${ERROR_CATALOGUE[c].en}`)
          .join('; '),
      ),
    ]),
  );
const AUTH_ERRORS = ['ZF0220', 'ZF0221', 'ZF0222', 'ZF0010', 'ZF0130'] as const;

function params(schema: z.ZodObject, where: 'path' | 'query') {
  return Object.entries(schema.shape).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || !(s as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(s as z.ZodType, 'input'),
  }));
}

/** The document served at /api/openapi.json. */
export function partnerOpenApi(): Json {
  const linkShape = (LinkParams as unknown as { def: { in?: z.ZodObject } }).def.in ?? null;
  const linkObject = linkShape ?? (LinkParams as unknown as z.ZodObject);
  return {
    openapi: '3.1.0',
    info: {
      title: '商保直付通 partner API',
      version: '1.0.0',
      description:
        'Server API of the wallet for partners (query an order, request a refund), the callbacks the wallet sends, and the deep link that opens it. Every server API request is signed: ' +
        `headers ${Object.values(PARTNER_API_HEADERS).join(', ')}; signature = lowercase hex HMAC-SHA256(API secret, METHOD + "\\n" + path?query + "\\n" + timestamp + "\\n" + nonce + "\\n" + body); timestamp (Unix seconds) within ±5 minutes; a nonce (16–64 of [A-Za-z0-9_-]) is accepted once. Errors answer {code} with a ZF code (see README).`,
    },
    servers: [{ url: '/' }],
    security: [{ partnerId: [], timestamp: [], nonce: [], signature: [] }],
    paths: {
      '/api/partner/v1/orders/{order_no}': {
        get: {
          operationId: 'getOrder',
          summary: 'One of your orders: state, amounts, attempts, refunds, last callback seq',
          parameters: params(PartnerOrderParam, 'path'),
          responses: { '200': json('OrderAnswer', 'the order'), ...errors([...AUTH_ERRORS, 'ZF0060']) },
        },
      },
      '/api/partner/v1/orders': {
        get: {
          operationId: 'listOrdersByReferNo',
          summary: 'Your orders under a refer_no, newest first',
          parameters: params(PartnerOrdersQuery, 'query'),
          responses: { '200': json('OrdersAnswer', 'the orders (possibly none)'), ...errors([...AUTH_ERRORS]) },
        },
      },
      '/api/partner/v1/refunds': {
        post: {
          operationId: 'requestRefund',
          summary: 'Refund (part of) a paid order; idempotent by partner_refund_no',
          requestBody: { required: true, content: { 'application/json': { schema: ref('RefundRequest') } } },
          responses: {
            '201': json('RefundAnswer', 'refund created (status may still be requested/submitted)'),
            '200': json('RefundAnswer', 'the refund this partner_refund_no already made'),
            ...errors([...AUTH_ERRORS, 'ZF0060', 'ZF0223', 'ZF0224', 'ZF0225']),
          },
        },
      },
      '/api/partner/v1/refunds/{no}': {
        get: {
          operationId: 'getRefund',
          summary: 'A refund by our refund_no or your partner_refund_no',
          parameters: params(PartnerRefundParam, 'path'),
          responses: { '200': json('RefundAnswer', 'the refund'), ...errors([...AUTH_ERRORS, 'ZF0226']) },
        },
      },
      '/wallet/index.html': {
        get: {
          operationId: 'openWallet',
          summary: 'The deep link (opened in the partner app’s webview)',
          description:
            'The parameters go after the hash: /wallet/index.html#/pages/valid-policy/valid-policy?<params>. sign = lowercase hex HMAC-SHA256(link secret, every non-empty parameter except sign, sorted by name, joined as name=value with &, values before URL-encoding); timestamp within ±5 minutes.',
          security: [],
          parameters: Object.entries(linkObject.shape).map(([name, s]) => ({
            name,
            in: 'query',
            required: !(s as z.ZodType).safeParse(undefined).success,
            schema: jsonSchema(s as z.ZodType, 'input'),
          })),
          responses: { '200': { description: 'the wallet page (H5)', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
    },
    webhooks: {
      callback: {
        post: {
          summary: 'A callback to your callback URL (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: ref('CallbackPayload') } } },
          responses: { '200': { description: 'any 2xx: delivered; anything else is retried for 24 h with the same event_id' } },
        },
      },
    },
    components: {
      securitySchemes: {
        partnerId: { type: 'apiKey', in: 'header', name: PARTNER_API_HEADERS.partnerId },
        timestamp: { type: 'apiKey', in: 'header', name: PARTNER_API_HEADERS.timestamp },
        nonce: { type: 'apiKey', in: 'header', name: PARTNER_API_HEADERS.nonce },
        signature: { type: 'apiKey', in: 'header', name: PARTNER_API_HEADERS.signature },
      },
      schemas: {
        RefundRequest: jsonSchema(RefundRequest, 'input'),
        RefundAnswer: jsonSchema(RefundAnswer),
        OrderAnswer: jsonSchema(PartnerOrderAnswer),
        OrdersAnswer: jsonSchema(PartnerOrdersAnswer),
        CallbackPayload: jsonSchema(CallbackPayload),
        Error: {
          type: 'object',
          required: ['code'],
          properties: {
            code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
            reason: { type: 'string' },
            request_id: { type: 'string' },
          },
        },
      },
    },
  };
}
