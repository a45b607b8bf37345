// createApp(deps): the whole HTTP surface — the wallet API, provider notify endpoints, and (in production) the H5.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.ts';
import { DomainError } from './http/errors.ts';
import { notFound, onError, requestId, type AppEnv } from './http/middleware.ts';
import { noStore } from './http/security.ts';
import { serveH5 } from './http/static.ts';
import { adminRoutes } from './modules/admin/admin.route.ts';
import { balanceRoutes } from './modules/balance/balance.route.ts';
import { cardRoutes } from './modules/card/card.route.ts';
import { payzeroNotifyRoute } from './modules/card/payzero-notify.route.ts';
import { guanaitongRoutes } from './modules/guanaitong/guanaitong.route.ts';
import { orderRoutes } from './modules/order/order.route.ts';
import { openApiRoutes } from './modules/partner/openapi.route.ts';
import { partnerRoutes } from './modules/partner/partner.route.ts';
import { paymentRoutes } from './modules/payment/payment.route.ts';
import { policyRoutes } from './modules/policy/policy.route.ts';
import { sessionRoutes } from './modules/session/session.route.ts';

export type { Deps } from './deps.ts';

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', secureHeaders({ crossOriginResourcePolicy: false }));
  app.use('/api/*', noStore());
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new DomainError('ZF0010', 'body too large');
      },
    }),
  );
  app.onError(onError(deps));
  app.notFound(notFound);

  // One sub-app per module; each route parses, calls one service function and maps its answer.
  const routes = app
    .get('/healthz', (c) => c.json({ ok: true }, 200))
    .route('/api', sessionRoutes(deps))
    .route('/api', policyRoutes(deps))
    .route('/api', orderRoutes(deps))
    .route('/api', paymentRoutes(deps))
    .route('/api', balanceRoutes(deps))
    .route('/api', cardRoutes(deps))
    .route('/api', guanaitongRoutes(deps))
    .route('/api', adminRoutes(deps))
    .route('/api/providers/payzero/notify', payzeroNotifyRoute(deps))
    .route('/api/partner/v1', partnerRoutes(deps))
    .route('/api', openApiRoutes());
  if (deps.config.serveH5Dir) serveH5(app, deps.config.serveH5Dir);
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
