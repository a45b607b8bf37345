// The whole product in one process for browser tests: BFF (fresh SQLite, demo data, jobs running) serving the
// built H5 at /wallet/, the demo partner page, and a headless Chromium (Debian's, via playwright-core).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../bff/src/app.ts';
import { createRuntime, startJobs, type Runtime } from '../../bff/src/bootstrap.ts';
import type { Clock } from '../../bff/src/lib/clock.ts';
import { testConfig } from '../../bff/src/env.ts';
import type { Job, Scheduler } from '../../bff/src/jobs/scheduler.ts';
import { createLogger } from '../../bff/src/lib/logger.ts';
import { startDemoPartner } from '../../bff/dev/demo-partner.ts';
import { payzeroLookup } from '../../bff/src/modules/reconcile/reconcile.job.ts';
import { reconcile } from '../../bff/src/modules/reconcile/reconcile.service.ts';
import { keepOnFailure } from './artifacts.ts';

export interface Stack {
  bffUrl: string;
  walletUrl: string;
  partnerUrl: string;
  runtime: Runtime;
  browser: Browser;
  partner: Awaited<ReturnType<typeof startDemoPartner>>;
  /**
   * A phone-sized page (375 × 667, or 320 × 568), mobile UA and touch, collecting console errors; when the test
   * fails, its screenshot and console log are kept under .e2e-artifacts/e2e/ (artifacts.ts).
   */
  newPage(width?: number, opts?: { deviceScaleFactor?: number }): Promise<{ page: Page; errors: string[]; log: string[] }>;
  stop(): Promise<void>;
}

/** The two phone sizes of issue 13: an iPhone 8 class screen and the narrowest one we support. */
export const VIEWPORTS = [
  { width: 375, height: 667 },
  { width: 320, height: 568 },
] as const;

/** A phone browser's user agent, as partner webviews send (plus their own token, which the wallet ignores). */
export const MOBILE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 PartnerApp/1.0';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, port: info.port }));
  });
}

/**
 * A free port of 127.0.0.1, for a server whose own URL must be in its config before it starts (the BFF, a
 * simulator's public URL): listened on once and released.
 */
export async function reservePort(): Promise<number> {
  const reserved = await listen(() => new Response('starting', { status: 503 }));
  await new Promise<void>((r) => reserved.server.close(() => r()));
  return reserved.port;
}

export interface StackOptions {
  /** Extra config (env names) for the BFF, e.g. provider base URLs. */
  env?: Record<string, string>;
  /** Provider jobs to run beside the core ones. */
  jobs?: (runtime: Runtime) => Job[];
  /** The BFF's clock (default: the system clock), e.g. one a test moves forward to compress hours of retries. */
  clock?: Clock;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'zf-e2e-'));
  const h5Dist = fileURLToPath(new URL('../dist', import.meta.url));
  // The BFF's port must be known before its config (links and return URLs point at it): reserve it first.
  const bffPort = await reservePort();
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  const walletUrl = `${bffUrl}/wallet/index.html`;

  const runtime = await createRuntime(
    testConfig({
      DATABASE_URL: `sqlite:${join(dir, 'wallet.db')}`,
      SEED_DEMO: 'true',
      JOBS: 'true',
      SERVE_H5_DIR: h5Dist,
      PUBLIC_BASE_URL: bffUrl,
      WALLET_URL: walletUrl,
      ...opts.env,
    }),
    { logger: createLogger(process.env.E2E_LOG ?? 'silent'), clock: opts.clock },
  );
  const app = createApp(runtime.deps);
  const bff = await new Promise<ServerType>((resolve) => {
    const server = serve({ fetch: app.fetch, port: bffPort, hostname: '127.0.0.1' }, () => resolve(server));
  });
  const scheduler: Scheduler = startJobs(runtime.deps, opts.jobs?.(runtime) ?? []);

  const partnerPort = await reservePort();
  const partnerUrl = `http://127.0.0.1:${partnerPort}`;
  const partner = await startDemoPartner({ walletUrl, selfUrl: partnerUrl, port: partnerPort, hostname: '127.0.0.1' });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });

  let pages = 0;
  return {
    bffUrl,
    walletUrl,
    partnerUrl,
    runtime,
    browser,
    partner,
    async newPage(width = 375, opts = {}) {
      const height = width <= 320 ? 568 : 667;
      const context = await browser.newContext({
        viewport: { width, height },
        deviceScaleFactor: opts.deviceScaleFactor ?? 2,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        userAgent: MOBILE_UA,
      });
      const page = await context.newPage();
      const log = keepOnFailure(page, ++pages);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico') && !r.url().includes('/api/'))
          errors.push(`HTTP ${r.status()} ${r.url()}`);
      });
      return { page, errors, log };
    },
    async stop() {
      await browser.close();
      // The journeys' last callbacks may still be on their way (the dispatcher runs every second; an event behind its
      // order's earlier one waits for it): let the jobs finish them, for at most 20 s, before reconciling.
      for (let waited = 0; waited < 20_000; waited += 250) {
        const open = await runtime.deps.db
          .selectFrom('callback_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('final', '=', 1)
          .where('status', 'in', ['pending', 'sending'])
          .executeTakeFirstOrThrow();
        if (Number(open.n) === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      await scheduler.stop();
      // What the journeys left must reconcile (issue 9): every order against its attempts, transfers, quota records,
      // Payzero's own records (its simulator is still up) and callbacks, and the books.
      const report = await reconcile(runtime.deps, { since: 0, cardLookup: payzeroLookup(runtime.deps) });
      await partner.close();
      await new Promise<void>((r) => bff.close(() => r()));
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
      if (report.differences.length)
        throw new Error(
          `reconciliation after the journeys: ${report.differences.length} difference(s): ${JSON.stringify(report.differences)}`,
        );
    },
  };
}

/** True when nothing on the page is wider than the viewport (the 320 px rule). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/** Types a PIN on Vant's NumberKeyboard. */
export async function typePin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) {
    // Vant's keys answer touch events (as in a webview), so tap rather than click.
    await page
      .locator('.van-number-keyboard .van-key', { hasText: new RegExp(`^${digit}$`) })
      .first()
      .tap();
  }
}

/** At the cashier: 余额支付, the PIN on the keyboard, then the result page showing 支付成功. */
export async function payByBalance(page: Page, pin = '123456'): Promise<void> {
  await page.locator('[data-test="method-balance"]').click();
  await page.locator('[data-test="pay-balance"]').click();
  await page.locator('[data-test="pin-keyboard"]').waitFor();
  await typePin(page, pin);
  await page.waitForURL(/pay-result/);
  await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 15_000 });
}

/**
 * The user's way to the cashier, as in a partner app: the demo partner page opens the wallet for CLM-DEMO-001 with
 * `amount`, the user picks POL-PICC-001 (80 %) and confirms. Answers the order number from the cashier's URL.
 */
export async function openCashier(page: Page, partnerUrl: string, amount: string): Promise<string> {
  await page.goto(`${partnerUrl}/`);
  await page.locator('input[name="amount"]').fill(amount);
  await page.locator('#open-wallet').click();
  await page.waitForURL(/#\/pages\/valid-policy\/valid-policy/);
  await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
  await page.waitForURL(/policy-detail/);
  await page.locator('[data-test="confirm"]').click();
  await page.waitForURL(/#\/pages\/cashier\/cashier\?order_no=ZF\d{20}/);
  await page.locator('[data-test="cashier-summary"]').waitFor();
  return new URL(page.url().replace('#', '')).searchParams.get('order_no') ?? '';
}
