// The baseline: bare Hono on @hono/node-server, one process, answering every path with a small JSON (reading the
// JSON body when there is one), so each BFF figure can stand beside what the same stack does with no work at all.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.env.PORT ?? 0);
const app = new Hono();
app.get('/healthz', (c) => c.json({ ok: true }));
app.all('*', async (c) => {
  const body = c.req.method === 'GET' ? null : await c.req.json().catch(() => null);
  return c.json({ ok: true, path: c.req.path, got: body === null ? 0 : 1 });
});
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
