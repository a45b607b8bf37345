// Test wiring for card payments: the Payzero simulator and this BFF on real ephemeral ports, so Payzero's signed
// notifies reach the BFF over HTTP; the BFF's deps point at the simulator and share the test's manual clock.
import { Hono } from 'hono';
import { expect } from 'vitest';
import { createApp } from '../src/app.ts';
import type { Deps } from '../src/deps.ts';
import { payzeroIntegration } from '../src/modules/card/payzero.integration.ts';
import type { PayzeroClient } from '../src/providers/payzero/client.ts';
import { createPayzeroSimulator, type PayzeroSimulator, type PayzeroSimulatorOptions } from '../dev/payzero/simulator.ts';
import { serveApp, TEST_CREDENTIALS } from './payzero.ts';
import type { FaultProxy } from './fault-proxy.ts';
import type { TestContext } from './harness.ts';

/** Luhn-valid card numbers whose last 4 digits pick the simulator's behaviour (SPEC §10). */
export const TEST_CARDS = {
  /** …0000: paid after 1 s (scaled). */
  paid: '6214830000090000',
  /** …1111: declined by the bank. */
  declined: '6214830000031111',
  /** …2222: paid after 8 s (scaled): exercises the 5 s rule. */
  slow: '6214830000072222',
  /** …3333: not signed at Payzero: refused at once with 50010. */
  unsigned: '6214830000013333',
} as const;

/** The code every simulated signing SMS carries (the README's demo table). */
export const TEST_SMS_CODE = '123456';

/** A valid card holder (the ID number is GB 11643's own example, check character X). */
export const TEST_HOLDER = { holder_name: '张三', id_number: '11010519491231002X', phone: '13800138000' } as const;

/** A JSON answer of the BFF. */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field in tests
  body: any;
}

/** A running simulator + BFF pair for one test. */
export interface CardPayEnv {
  /** The test's deps with `config.payzero` and `publicBaseUrl` pointing at the two servers. */
  deps: Deps;
  sim: PayzeroSimulator;
  /** The BFF's own Payzero client (the one its routes and jobs use). */
  client: PayzeroClient;
  /** The BFF's base URL. */
  url: string;
  /** A JSON request to the BFF over real HTTP. */
  call(method: string, path: string, token?: string, body?: unknown): Promise<Answer>;
  /** Binds a card for the session (the SMS step with the simulator's demo code) and returns its id. */
  bindCard(token: string, cardNo: string, holder?: { holder_name?: string; id_number?: string; phone?: string }): Promise<string>;
  /** Opens a session (link overrides) and creates an order under the policy; returns the token and the order. */
  newOrder(overrides?: Record<string, string>, policyNo?: string): Promise<{ token: string; orderNo: string; selfPayFen: number }>;
  close(): Promise<void>;
}

/**
 * Starts the simulator (time scaled by 0.1: card …0000 answers in 100 ms, …2222 in 800 ms; the BFF's clock is the
 * test's manual one, so the 5 s rule and the poll backoff move only when the test advances it) and serves the app.
 */
export async function startCardPayEnv(
  ctx: TestContext,
  options: { sim?: Partial<PayzeroSimulatorOptions>; fetch?: typeof fetch; proxy?: FaultProxy } = {},
): Promise<CardPayEnv> {
  const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS, clock: ctx.clock, timeScale: 0.1, ...options.sim });
  const simServer = await sim.start();
  if (options.proxy) options.proxy.target = simServer.url;
  const baseUrl = options.proxy?.url ?? simServer.url;
  // The app needs its own URL in its config (the notify URL), so the server forwards to an app built afterwards.
  let app: ReturnType<typeof createApp> | null = null;
  const server = await serveApp(
    new Hono().all('*', (c) => {
      if (!app) return c.text('not ready', 503);
      return app.fetch(c.req.raw);
    }),
  );
  const { username, password, signToken } = TEST_CREDENTIALS;
  const deps: Deps = {
    ...ctx.deps,
    fetch: options.fetch ?? ctx.deps.fetch,
    config: {
      ...ctx.deps.config,
      publicBaseUrl: server.url,
      payzero: { ...ctx.deps.config.payzero, baseUrl, username, password, signToken },
    },
  };
  app = createApp(deps);

  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // A text answer (the notify route's OK / FAIL): kept as text.
    }
    return { status: res.status, body: parsed };
  };

  return {
    deps,
    sim,
    client: payzeroIntegration(deps).client,
    url: server.url,
    call,
    async bindCard(token, cardNo, holder = {}) {
      const res = await call('POST', '/api/cards', token, { ...TEST_HOLDER, ...holder, card_no: cardNo });
      if (res.status === 200) return res.body.card.id as string;
      expect(res.status).toBe(202);
      const confirmed = await call('POST', '/api/cards/confirm', token, {
        binding_id: res.body.binding.binding_id,
        sms_code: TEST_SMS_CODE,
      });
      expect([200, 201]).toContain(confirmed.status);
      return confirmed.body.card.id as string;
    },
    async newOrder(overrides = {}, policyNo = 'POL-PICC-001') {
      const { token } = await ctx.enter(overrides);
      const res = await call('POST', '/api/orders', token, { policy_no: policyNo });
      expect(res.status).toBe(201);
      return { token, orderNo: res.body.order.order_no as string, selfPayFen: res.body.order.self_pay_fen as number };
    },
    async close() {
      await simServer.close();
      await server.close();
    },
  };
}
