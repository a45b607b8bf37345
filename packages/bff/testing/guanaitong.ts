// Test support: a simulator and a client wired together over real HTTP on ephemeral ports, and a tiny HTTP host
// for receiver apps (notify_url, return_url). Used by this folder's tests and available to the payment module's.
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Clock } from '../src/lib/clock.ts';
import { GuanaitongClient, type GuanaitongClientOptions } from '../src/providers/guanaitong/client.ts';
import {
  createGuanaitongSimulator,
  type GuanaitongSimulator,
  type GuanaitongSimulatorOptions,
  type RunningGuanaitongSimulator,
} from '../dev/guanaitong/simulator.ts';

/** Test credentials (the dev defaults of env.ts). */
export const TEST_GAT = { appid: '30000003', appsecret: 'f4cc82386a1cdddcc98e4f53b1115a62', sellerAppid: '20110783' } as const;

/** A Hono app served on an ephemeral port of 127.0.0.1. */
export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** Serves any Hono app (e.g. a notify receiver) on an ephemeral port. */
export function serveApp(app: Hono): Promise<ServedApp> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}

/** A started simulator with a client pointed at it. */
export interface GuanaitongHarness {
  sim: GuanaitongSimulator;
  server: RunningGuanaitongSimulator;
  client: GuanaitongClient;
  close(): Promise<void>;
}

/** Starts a simulator on an ephemeral port and a client for it, sharing one clock. */
export async function startGuanaitongHarness(
  input: { clock?: Clock; simulator?: GuanaitongSimulatorOptions; client?: Partial<GuanaitongClientOptions> } = {},
): Promise<GuanaitongHarness> {
  const sim = createGuanaitongSimulator({ ...TEST_GAT, ...(input.clock ? { clock: input.clock } : {}), ...input.simulator });
  const server = await sim.start();
  const client = new GuanaitongClient({
    baseUrl: server.url,
    appid: TEST_GAT.appid,
    appsecret: TEST_GAT.appsecret,
    ...(input.clock ? { clock: input.clock } : {}),
    ...input.client,
  });
  return { sim, server, client, close: () => server.close() };
}
