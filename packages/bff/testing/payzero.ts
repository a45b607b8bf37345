// Test wiring for the Payzero suites: the simulator and a notify receiver on real ephemeral ports, and a client.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { ManualClock } from '../src/lib/clock.ts';
import { PayzeroClient, type PayzeroClientOptions } from '../src/providers/payzero/client.ts';
import { createPayzeroNotifyRoute, type PayStatusNotify } from '../src/providers/payzero/notify.ts';
import { createPayzeroSimulator, type PayzeroSimulator, type PayzeroSimulatorOptions } from '../dev/payzero/simulator.ts';

/** Credentials shared by the simulator and the client in tests. */
export const TEST_CREDENTIALS = {
  username: 'test-app',
  password: 'test-app-key',
  jwtSecret: 'test-jwt-secret',
  signToken: 'test-sign-token',
} as const;

/** Serves a Hono app on 127.0.0.1 with an ephemeral port. */
export async function serveApp(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/** A running simulator, notify receiver and client; `close()` stops them all. */
export interface PayzeroHarness {
  clock: ManualClock;
  sim: PayzeroSimulator;
  simUrl: string;
  client: PayzeroClient;
  /** Where the simulator posts notifies (our `createPayzeroNotifyRoute`). */
  notifyUrl: string;
  /** Verified PAY_STATUS_NOTIFYs, in arrival order. */
  received: PayStatusNotify[];
  close(): Promise<void>;
}

/** Simulator + receiver + client sharing one manual clock. */
export async function startPayzeroHarness(
  options: { sim?: Partial<PayzeroSimulatorOptions>; client?: Partial<PayzeroClientOptions> } = {},
): Promise<PayzeroHarness> {
  const clock = new ManualClock();
  const received: PayStatusNotify[] = [];
  const receiverApp = new Hono().route(
    '/payzero/notify',
    createPayzeroNotifyRoute({
      signToken: TEST_CREDENTIALS.signToken,
      onPayStatus: async (n) => {
        received.push(n);
      },
    }),
  );
  const receiver = await serveApp(receiverApp);
  const notifyUrl = `${receiver.url}/payzero/notify`;
  const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS, clock, timeScale: 0.005, notifyUrl, ...options.sim });
  const started = await sim.start();
  const client = new PayzeroClient({ ...TEST_CREDENTIALS, baseUrl: started.url, clock, ...options.client });
  return {
    clock,
    sim,
    simUrl: started.url,
    client,
    notifyUrl,
    received,
    close: async () => {
      await started.close();
      await receiver.close();
    },
  };
}
