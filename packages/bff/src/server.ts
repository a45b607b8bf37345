// The BFF process: config → runtime → HTTP server + jobs; exits non-zero on a bad config; shuts down cleanly.
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { createRuntime, startJobs } from './bootstrap.ts';
import { ConfigError, loadConfig, type Config } from './env.ts';
import { hasDemoAdmin } from './modules/admin/admin.repository.ts';
import { hasDemoPartner } from './modules/session/session.repository.ts';
import { guanaitongJobs } from './modules/guanaitong/guanaitong.integration.ts';
import { payzeroJobs } from './modules/card/payzero.integration.ts';
import { reconcileJobs } from './modules/reconcile/reconcile.job.ts';
import { refundJobs } from './modules/refund/refund.integration.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const runtime = await createRuntime(config);
const { deps } = runtime;
if (config.env === 'production') {
  if (await hasDemoAdmin(deps.db)) {
    deps.logger.fatal(
      'the demo admin (admin/admin123) is in the production database; refusing to start (create a real one with `pnpm admin:create`)',
    );
    await runtime.close();
    process.exit(1);
  }
  if (await hasDemoPartner(deps.db)) {
    deps.logger.fatal('demo data found in the production database; refusing to start');
    await runtime.close();
    process.exit(1);
  }
}
const app = createApp(deps);
const scheduler = startJobs(deps, [...payzeroJobs(deps), ...guanaitongJobs(deps), ...reconcileJobs(deps), ...refundJobs(deps)]);
await scheduler.runAll(); // recovery at start: settle paid-but-unsettled orders, deliver what is due
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  deps.logger.info(`BFF listening on http://${config.host}:${info.port} (${deps.dialect})`);
});

async function shutdown(signal: string) {
  deps.logger.info({ signal }, 'shutting down');
  server.close();
  await scheduler.stop();
  await runtime.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
