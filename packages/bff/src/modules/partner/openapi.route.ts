// Mounted at /api: the partner contract as OpenAPI 3.1 (`/openapi.json`) and a readable page of it (`/docs`).
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { AppEnv } from '../../http/middleware.ts';
import { partnerOpenApi } from './partner.openapi.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** A plain page (no scripts, no CDN: works offline and in any browser) listing every operation and schema. */
function page(doc: ReturnType<typeof partnerOpenApi>): string {
  const info = doc.info as { title: string; description: string };
  const ops: string[] = [];
  for (const [path, item] of Object.entries(
    doc.paths as Record<
      string,
      Record<
        string,
        {
          summary?: string;
          description?: string;
          parameters?: Array<{ name: string; in: string; required: boolean }>;
          responses: Record<string, { description: string }>;
        }
      >
    >,
  )) {
    for (const [method, op] of Object.entries(item)) {
      const ps = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`)
        .join('');
      const rs = Object.entries(op.responses)
        .map(([s, r]) => `<li><b>${s}</b> ${esc(r.description)}</li>`)
        .join('');
      ops.push(
        `<section><h3><code>${method.toUpperCase()} ${esc(path)}</code></h3><p>${esc(op.summary ?? '')}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}<ul>${ps}</ul><ul>${rs}</ul></section>`,
      );
    }
  }
  const schemas = Object.entries((doc.components as { schemas: Record<string, unknown> }).schemas)
    .map(([n, s]) => `<details><summary>${esc(n)}</summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(info.title)}</title><style>body{font:14px/1.5 system-ui,sans-serif;max-width:960px;margin:0 auto;padding:12px}pre{overflow:auto;background:#f5f5f5;padding:8px}code{word-break:break-all}</style></head><body><h1>${esc(info.title)}</h1><p>${esc(info.description)}</p><p><a href="/api/openapi.json">openapi.json</a> · README “For partners” · docs/partner-guide.zh-CN.md</p>${ops.join('')}<h2>Schemas</h2>${schemas}</body></html>`;
}

export function openApiRoutes() {
  const doc = partnerOpenApi();
  const body = page(doc);
  return new Hono<AppEnv>().get('/openapi.json', (c) => c.json(doc, 200)).get('/docs', (c) => c.html(html`${raw(body)}`, 200));
}
