// Test wiring for paying with Guanaitong points end to end: the simulator and this BFF on real ephemeral ports (the
// simulator's notify reaches the BFF over HTTP) and the browser trip (start → login → auth callback → cashier →
// return) as plain HTTP requests. For suites that need a paid Guanaitong order (refunds).
import { Hono } from 'hono';
import { expect } from 'vitest';
import { createApp } from '../src/app.ts';
import type { Deps } from '../src/deps.ts';
import { createGuanaitongSimulator, type GuanaitongSimulator, type GuanaitongSimulatorOptions } from '../dev/guanaitong/simulator.ts';
import { serveApp, TEST_GAT } from './guanaitong.ts';
import type { FaultProxy } from './fault-proxy.ts';
import type { TestContext } from './harness.ts';

export interface GuanaitongPayEnv {
  sim: GuanaitongSimulator;
  deps: Deps;
  url: string;
  /**
   * Start → Guanaitong's login (at `loginBase`: the simulator, or a fault proxy in front of it) → our auth callback,
   * which calls checkUserAndToPay; answers where the callback sends the browser (the cashier, or our page with a code).
   */
  tripToCallback(token: string, orderNo: string, loginBase?: string): Promise<string>;
  /** Pays an order's self-pay with points through the whole trip; resolves once the notify went out. */
  payWithPoints(token: string, orderNo: string): Promise<void>;
  close(): Promise<void>;
}

const visit = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  await res.text();
  return { status: res.status, location: res.headers.get('location') ?? '' };
};

/** Starts the simulator (sharing the test's clock) and serves the app configured for it; `fetch` wraps the BFF's. */
export async function startGuanaitongPayEnv(
  ctx: TestContext,
  options: { sim?: GuanaitongSimulatorOptions; fetch?: typeof fetch; proxy?: FaultProxy } = {},
): Promise<GuanaitongPayEnv> {
  const sim = createGuanaitongSimulator({ ...TEST_GAT, clock: ctx.clock, timeScale: 1e-3, ...options.sim });
  const simServer = await sim.start();
  if (options.proxy) options.proxy.target = simServer.url;
  let app: ReturnType<typeof createApp> | null = null;
  const served = await serveApp(new Hono().all('*', (c) => (app ? app.fetch(c.req.raw) : c.text('starting', 503))));
  const deps: Deps = {
    ...ctx.deps,
    fetch: options.fetch ?? ctx.deps.fetch,
    config: {
      ...ctx.deps.config,
      publicBaseUrl: served.url,
      walletUrl: 'http://wallet.test/wallet/index.html',
      guanaitong: { ...ctx.deps.config.guanaitong, baseUrl: options.proxy?.url ?? simServer.url, ...TEST_GAT },
    },
  };
  app = createApp(deps);
  const tripToCallback = async (token: string, orderNo: string, loginBase = simServer.url) => {
    const start = await fetch(`${served.url}/api/orders/${orderNo}/pay/guanaitong/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pay_type: 1 }),
    });
    expect(start.status).toBe(200);
    const loginUrl = new URL(((await start.json()) as { login_url: string }).login_url);
    const form = new URLSearchParams({
      appid: loginUrl.searchParams.get('appid') ?? '',
      redirect_uri: loginUrl.searchParams.get('redirect_uri') ?? '',
      state: loginUrl.searchParams.get('state') ?? '',
      login: '',
    });
    const login = await visit(`${loginBase}/sso/login`, { method: 'POST', body: form });
    const back = await visit(login.location);
    expect(back.status).toBe(302);
    return back.location;
  };
  return {
    sim,
    deps,
    url: served.url,
    tripToCallback,
    async payWithPoints(token, orderNo) {
      const cashier = new URL(await tripToCallback(token, orderNo));
      const pay = new URLSearchParams({ trade_no: cashier.searchParams.get('trade_no') ?? '', t: cashier.searchParams.get('t') ?? '' });
      expect((await visit(`${simServer.url}/cashier/confirm`, { method: 'POST', body: pay })).status).toBe(302);
      await sim.control.notifiesIdle();
    },
    async close() {
      await simServer.close();
      await served.close();
    },
  };
}
