// createApp(deps): the whole HTTP surface — the wallet API, provider notify endpoints, and (in production) the H5.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.ts';
import { DomainError } from './http/errors.ts';
import { notFound, onError, requestId, type AppEnv } from './http/middleware.ts';
import { cardRoutes } from './modules/card/card.route.ts';
import { walletRoutes } from './modules/wallet.route.ts';
import { guanaitongRoutes } from './modules/guanaitong/guanaitong.route.ts';
import { serveH5 } from './http/static.ts';

export type { Deps } from './deps.ts';

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false }));
  app.use('/api/*', bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new DomainError('ZF0010', 'body too large'); } }));
  app.onError(onError(deps));
  app.notFound(notFound);

  const routes = app.get('/healthz', (c) => c.json({ ok: true }, 200)).route('/api', walletRoutes(deps)).route('/api', cardRoutes(deps)).route('/api', guanaitongRoutes(deps));
  if (deps.config.serveH5Dir) serveH5(app, deps.config.serveH5Dir);
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
