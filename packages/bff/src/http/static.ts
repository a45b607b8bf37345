// Production: the BFF serves the built H5 itself at /wallet/ (SPEC §2), beside the API.
import { serveStatic } from '@hono/node-server/serve-static';
import { relative } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from './middleware.ts';
import { h5Csp } from './security.ts';

export function serveH5(app: Hono<AppEnv>, dir: string): void {
  const root = relative(process.cwd(), dir) || '.';
  app.get('/', (c) => c.redirect('/wallet/index.html', 302));
  app.get('/wallet', (c) => c.redirect('/wallet/index.html', 302));
  app.use('/wallet/*', h5Csp());
  app.use('/wallet/*', serveStatic({ root, rewriteRequestPath: (p) => p.replace(/^\/wallet/, '') }));
}
