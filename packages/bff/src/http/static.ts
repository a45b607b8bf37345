// Production: the BFF serves the built H5 itself at /wallet/ (SPEC §2), beside the API.
import { serveStatic } from '@hono/node-server/serve-static';
import { relative } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from './middleware.ts';
import { h5Csp } from './security.ts';

/** Vite names every file under assets/ by its content hash: a new build is new URLs, so they never go stale. */
export const H5_ASSET_CACHE = 'public, max-age=31536000, immutable';
/** index.html (and anything else unhashed) is revalidated on every load, so a new build is picked up at once. */
export const H5_PAGE_CACHE = 'no-cache';

export function serveH5(app: Hono<AppEnv>, dir: string): void {
  const root = relative(process.cwd(), dir) || '.';
  app.get('/', (c) => c.redirect('/wallet/index.html', 302));
  app.get('/wallet', (c) => c.redirect('/wallet/index.html', 302));
  app.use('/wallet/*', h5Csp());
  app.use('/wallet/*', async (c, next) => {
    await next();
    if (c.res.status === 200 || c.res.status === 206)
      c.header('Cache-Control', c.req.path.startsWith('/wallet/assets/') ? H5_ASSET_CACHE : H5_PAGE_CACHE);
  });
  // precompressed: the build writes .br and .gz beside each text file (packages/h5/precompress.ts); sent by Accept-Encoding.
  app.use('/wallet/*', serveStatic({ root, precompressed: true, rewriteRequestPath: (p) => p.replace(/^\/wallet/, '') }));
}
