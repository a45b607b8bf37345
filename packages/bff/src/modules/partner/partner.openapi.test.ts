// The served OpenAPI document validates as OpenAPI 3.1, lists every mounted partner route, and describes the
// request and callback bodies from the same zod schemas the routes use.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import type { Deps } from '../../deps.ts';
import { testConfig } from '../../env.ts';
import { createLogger } from '../../lib/logger.ts';
import { partnerRoutes } from './partner.route.ts';

// The documents are built without a database: the routes only need deps when called.
const deps = { config: testConfig({}), logger: createLogger('silent') } as unknown as Deps;

describe('OpenAPI document', () => {
  it('is served at /api/openapi.json and validates as OpenAPI 3.1', async () => {
    const res = await createApp(deps).request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every partner route the app mounts, with its method', async () => {
    const doc = (await (await createApp(deps).request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    // Each route appears once per handler (validator, handler): the distinct method + path pairs are the routes.
    const mounted = [
      ...new Set(
        partnerRoutes(deps)
          .routes.filter((r) => r.method !== 'ALL')
          .map((r) => `${r.method.toLowerCase()} /api/partner/v1${r.path.replace(/:(\w+)/g, '{$1}')}`),
      ),
    ];
    expect(mounted.length).toBe(4);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    for (const route of mounted) expect(documented).toContain(route);
  });

  it('describes the refund request, the order answer and the callback payload field by field', async () => {
    const doc = (await (await createApp(deps).request('/api/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      webhooks: Record<string, unknown>;
    };
    const s = doc.components.schemas;
    expect(s.RefundRequest?.required).toEqual(expect.arrayContaining(['order_no', 'partner_refund_no', 'amount']));
    expect(Object.keys(s.CallbackPayload?.properties ?? {})).toEqual(
      expect.arrayContaining(['res_code', 'event', 'seq', 'final', 'paid_amount', 'insurer_amount', 'self_pay_amount', 'method', 'refund']),
    );
    expect(doc.webhooks.callback).toBeDefined();
    const page = await createApp(deps).request('/api/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('POST /api/partner/v1/refunds');
  });
});
