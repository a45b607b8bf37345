// Screenshots of every page at 320 and 375 px wide, against the built H5 with a mocked API; fails on horizontal overflow.
// Run: pnpm --filter @zf/h5 build && tsx packages/h5/e2e/screenshots.ts [outDir]   (Chromium at CHROMIUM_PATH or /usr/bin/chromium, fonts-noto-cjk)
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { preview } from 'vite';
import {
  DEMO_CARD,
  makeAttempt,
  makeCashier,
  makeOrder,
  makePick,
  makeSession,
  NEW_CARD,
  PAIC_POLICY,
  PICC_QUOTE,
  POLICY_LIST,
  SERVER_NOW,
} from '../src/test-utils/fixtures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? fileURLToPath(new URL('../../../.e2e-artifacts/h5', import.meta.url));
const NO = 'ZF20261122100000123456';

interface Screen {
  name: string;
  hash: string;
  api: Record<string, { status?: number; body: unknown }>;
  /** Runs after load, before the screenshot. */
  act?: (page: Page) => Promise<void>;
}

const now = new Date().toISOString();
const cashier = makeCashier({ server_time: now, order: makeOrder({ deadline_at: new Date(Date.now() + 29 * 60_000).toISOString() }) });
const processing = makeOrder({ display: 'processing' });
const paid = makeOrder({ status: 'settled', display: 'paid', paid_at: SERVER_NOW });
const entry =
  '/pages/valid-policy/valid-policy?amout=1234.56&refer_no=REF-1001&claim_no=CLM-DEMO-001&callback=http%3A%2F%2Flocalhost%2Fcb&partner_id=demo&timestamp=1795312800&sign=' +
  'a'.repeat(64);

const SCREENS: Screen[] = [
  { name: 'valid-policy', hash: entry, api: { 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { body: POLICY_LIST } } },
  {
    name: 'valid-policy-empty',
    hash: entry,
    api: { 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { status: 404, body: { code: 'ZF0040' } } },
  },
  { name: 'valid-policy-refused', hash: entry, api: { 'POST /api/session': { status: 401, body: { code: 'ZF0020' } } } },
  {
    name: 'policy-detail',
    hash: '/pages/policy-detail/policy-detail?policy_no=POL-PICC-001',
    api: { 'GET /api/policies/POL-PICC-001/quote': { body: PICC_QUOTE } },
  },
  { name: 'cashier', hash: `/pages/cashier/cashier?order_no=${NO}`, api: { [`GET /api/orders/${NO}/cashier`]: { body: cashier } } },
  {
    name: 'cashier-wrong-pin',
    hash: `/pages/cashier/cashier?order_no=${NO}`,
    api: {
      [`GET /api/orders/${NO}/cashier`]: { body: cashier },
      [`POST /api/orders/${NO}/pay/balance`]: { status: 402, body: { code: 'ZF0090', reason: 'wrong_pin', remaining_tries: 4 } },
    },
    act: async (page) => {
      await page.click('[data-test="pay-balance"]');
      for (const key of '111111')
        await page
          .locator('.van-key', { hasText: new RegExp(`^${key}$`) })
          .first()
          .tap();
      await page.waitForSelector('.van-password-input__error-info', { timeout: 3000 });
    },
  },
  {
    name: 'cashier-cards',
    hash: `/pages/cashier/cashier?order_no=${NO}`,
    api: { [`GET /api/orders/${NO}/cashier`]: { body: cashier }, 'GET /api/cards': { body: { cards: [NEW_CARD, DEMO_CARD] } } },
    act: async (page) => {
      await page.click('[data-test="method-card"]');
      await page.waitForSelector('[data-test="card-add"]');
    },
  },
  {
    name: 'cashier-card-add',
    hash: `/pages/cashier/cashier?order_no=${NO}&add_card=1`,
    api: { [`GET /api/orders/${NO}/cashier`]: { body: cashier }, 'GET /api/cards': { body: { cards: [DEMO_CARD] } } },
    act: async (page) => {
      await page.fill('[data-test="card-holder"] input', '张三');
      await page.fill('[data-test="card-no"] input', '6214 8300 0007 2223');
      await page.click('[data-test="card-add-submit"]');
    },
  },
  {
    name: 'cashier-guanaitong',
    hash: `/pages/cashier/cashier?order_no=${NO}&error=ZF0090&reason=insufficient_balance`,
    api: { [`GET /api/orders/${NO}/cashier`]: { body: cashier } },
    act: async (page) => {
      await page.click('[data-test="method-guanaitong"]');
      await page.click('[data-test="gat-type-2"]');
    },
  },
  {
    name: 'cashier-gat-picker',
    hash: `/pages/cashier/cashier?order_no=${NO}&gat_pick=token`,
    api: {
      [`GET /api/orders/${NO}/cashier`]: { body: cashier },
      'GET /api/providers/guanaitong/pick': { body: makePick({ expires_at: new Date(Date.now() + 55_000).toISOString() }) },
    },
  },
  {
    name: 'cashier-gat-pending',
    hash: `/pages/cashier/cashier?order_no=${NO}`,
    api: {
      [`GET /api/orders/${NO}/cashier`]: {
        body: { ...cashier, order: { ...cashier.order, display: 'processing', last_attempt: makeAttempt({ method: 'guanaitong' }) } },
      },
    },
  },
  {
    name: 'pay-result-processing',
    hash: `/pages/pay-result/pay-result?order_no=${NO}`,
    api: { [`GET /api/orders/${NO}`]: { body: { order: processing } } },
  },
  {
    name: 'pay-result-paid',
    hash: `/pages/pay-result/pay-result?order_no=${NO}`,
    api: { [`GET /api/orders/${NO}`]: { body: { order: paid } } },
  },
  {
    name: 'orders',
    hash: '/pages/orders/orders',
    api: {
      'GET /api/orders': {
        body: { orders: [makeOrder({ display: 'failed' }), paid, makeOrder({ order_no: 'ZF2', status: 'closed', display: 'closed' })] },
      },
    },
  },
  { name: 'not-found', hash: '/pages/nope/nope', api: {} },
  { name: 'valid-policy-bad-link', hash: entry, api: { 'POST /api/session': { status: 403, body: { code: 'ZF0030' } } } },
  {
    name: 'cashier-balance-short',
    hash: `/pages/cashier/cashier?order_no=${NO}`,
    api: {
      [`GET /api/orders/${NO}/cashier`]: {
        body: { ...cashier, methods: cashier.methods.map((m) => (m.method === 'balance' ? { ...m, balance_fen: 100 } : m)) },
      },
      'GET /api/cards': { body: { cards: [DEMO_CARD] } },
    },
  },
  {
    name: 'policy-detail-capped',
    hash: '/pages/policy-detail/policy-detail?policy_no=POL-PAIC-001',
    api: {
      'GET /api/policies/POL-PAIC-001/quote': {
        body: { policy: PAIC_POLICY, amount_fen: 100_000, insurer_fen: 50_000, self_pay_fen: 50_000 },
      },
    },
  },
  {
    name: 'pay-result-cancelled',
    hash: `/pages/pay-result/pay-result?order_no=${NO}`,
    api: {
      [`GET /api/orders/${NO}`]: {
        body: {
          order: makeOrder({
            display: 'failed',
            last_attempt: makeAttempt({ method: 'guanaitong', status: 'failed', failure_reason: 'cancelled' }),
          }),
        },
      },
    },
  },
  {
    name: 'pay-result-not-found',
    hash: `/pages/pay-result/pay-result?order_no=${NO}`,
    api: { [`GET /api/orders/${NO}`]: { status: 404, body: { code: 'ZF0060' } } },
  },
  {
    name: 'orders-detail',
    hash: `/pages/orders/orders?detail=${NO}`,
    api: {
      'GET /api/orders': {
        body: {
          orders: [
            makeOrder({
              partner_name: '示例医院',
              display: 'failed',
              last_attempt: makeAttempt({
                status: 'failed',
                failure_reason: 'declined',
                card_last4: '1111',
                transaction_no: 'PZ20261122000123',
              }),
            }),
          ],
        },
      },
    },
  },
];

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const server = await preview({ root, configFile: `${root}/vite.config.ts`, preview: { port: 0, strictPort: false } });
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('vite preview did not report its URL');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems: string[] = [];
  try {
    for (const width of [320, 375]) {
      for (const screen of SCREENS) {
        const page = await browser.newPage({ viewport: { width, height: 720 }, hasTouch: true, isMobile: true });
        page.on('pageerror', (error) => problems.push(`${screen.name}@${width}: ${error.message}`));
        await page.route('**/api/**', async (route) => {
          const url = new URL(route.request().url());
          const reply = screen.api[`${route.request().method()} ${url.pathname}`] ?? { status: 404, body: { code: 'ZF0140' } };
          await route.fulfill({ status: reply.status ?? 200, contentType: 'application/json', body: JSON.stringify(reply.body) });
        });
        await page.goto(`${base}index.html#${screen.hash}`);
        await page.waitForSelector('[data-test="loading"]', { state: 'detached', timeout: 5000 }).catch(() => undefined);
        await page.waitForTimeout(300);
        await screen.act?.(page);
        await page.waitForTimeout(400);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${screen.name}@${width}: ${overflow}px horizontal overflow`);
        await page.screenshot({ path: `${outDir}/${screen.name}-${width}.png`, fullPage: true });
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`screenshots in ${outDir}`);
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  }
}

await main();
