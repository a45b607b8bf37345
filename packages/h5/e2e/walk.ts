// The walk through every page of the wallet (and the console's sign-in and overview) that the accessibility pass
// checks and `pnpm screenshots` photographs: the product as the README starts it, with the Payzero and Guanaitong
// simulators, driven as a phone user would. `visit(label)` is called on each page once it has settled.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { payzeroJobs } from '../../bff/src/modules/card/payzero.integration.ts';
import { guanaitongJobs } from '../../bff/src/modules/guanaitong/guanaitong.integration.ts';
import { createPayzeroSimulator, PAYZERO_SIMULATOR_DEFAULTS } from '../../bff/dev/payzero/simulator.ts';
import { createGuanaitongSimulator } from '../../bff/dev/guanaitong/simulator.ts';
import { TEST_GAT } from '../../bff/testing/guanaitong.ts';
import { openCashier, reservePort, startStack, typePin, type Stack } from './stack.ts';

export type Visit = (label: string) => Promise<void>;

/** The stack with both provider simulators in real time; `stop` stops all three. */
export async function startWalletStack(): Promise<{ stack: Stack; gatUrl: string; stop(): Promise<void> }> {
  const payzero = await createPayzeroSimulator({ ...PAYZERO_SIMULATOR_DEFAULTS, timeScale: 1 }).start(0);
  const gatPort = await reservePort();
  const guanaitong = await createGuanaitongSimulator({ ...TEST_GAT, timeScale: 1, publicUrl: `http://127.0.0.1:${gatPort}` }).start(
    gatPort,
  );
  const stack = await startStack({
    env: {
      PAYZERO_BASE_URL: payzero.url,
      PAYZERO_USERNAME: PAYZERO_SIMULATOR_DEFAULTS.username,
      PAYZERO_PASSWORD: PAYZERO_SIMULATOR_DEFAULTS.password,
      PAYZERO_SIGN_TOKEN: PAYZERO_SIMULATOR_DEFAULTS.signToken,
      GAT_BASE_URL: guanaitong.url,
      GAT_APPID: TEST_GAT.appid,
      GAT_APPSECRET: TEST_GAT.appsecret,
      GAT_SELLER_APPID: TEST_GAT.sellerAppid,
    },
    jobs: (runtime) => [...payzeroJobs(runtime.deps), ...guanaitongJobs(runtime.deps)],
  });
  return {
    stack,
    gatUrl: guanaitong.url,
    async stop() {
      await stack.stop();
      await payzero.close();
      await guanaitong.close();
    },
  };
}

/** Waits for the page to settle: no loading state, sheet transitions done. */
export async function settle(page: Page): Promise<void> {
  await page
    .locator('[data-test="loading"]')
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  await page.waitForTimeout(400);
}

/** Binds a card at the open cashier (holder, id, number, phone, the simulator's SMS code) and pays it with the PIN. */
async function bindAndPay(page: Page, cardNo: string): Promise<void> {
  await page.locator('[data-test="method-card"]').click();
  await page.locator('[data-test="card-add"]').click();
  await page.locator('[data-test="card-holder"] input').fill('张三');
  await page.locator('[data-test="card-id-number"] input').fill('11010519491231002X');
  await page.locator('[data-test="card-no"] input').fill(cardNo);
  await page.locator('[data-test="card-phone"] input').fill('13800138000');
  await page.locator('[data-test="card-add-submit"]').click();
  await page.locator('[data-test="card-sms-code"] input').fill('123456');
  await page.locator('[data-test="card-sms-submit"]').click();
  const last4 = cardNo.replace(/\s/g, '').slice(-4);
  const card = page.locator('[data-test="card-picker"] [data-test^="card-CARD"]', { hasText: `尾号${last4}` });
  await card.waitFor({ timeout: 10_000 });
  await card.click();
  await page.locator('[data-test="pay-card"]').click();
  await page.locator('[data-test="pin-keyboard"]').waitFor();
  await typePin(page, '123456');
  await page.waitForURL(/pay-result/);
}

/** Every wallet page at the page's width: entry, detail, cashier and its sheets, PIN, results, records, errors. */
export async function walkWallet(stack: Stack, gatUrl: string, page: Page, visit: Visit): Promise<void> {
  await page.goto(`${stack.partnerUrl}/open?claim_no=CLM-DEMO-001&amount=100.00&refer_no=WALK-${Date.now() % 1_000_000}`);
  await page.locator('[data-test="policy-card"]').first().waitFor({ timeout: 15_000 });
  await visit('entry (policy list)');
  await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
  await page.waitForURL(/policy-detail/);
  await page.locator('[data-test="confirm"]').waitFor();
  await visit('policy detail');
  await page.locator('[data-test="confirm"]').click();
  await page.waitForURL(/cashier/);
  await page.locator('[data-test="cashier-summary"]').waitFor();
  await visit('cashier');

  await page.locator('[data-test="method-balance"]').click();
  await page.locator('[data-test="pay-balance"]').click();
  await page.locator('[data-test="pin-keyboard"]').waitFor();
  await visit('cashier: balance PIN sheet and keyboard');
  await typePin(page, '000000');
  await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain('还可尝试 4 次');
  await visit('cashier: wrong PIN');
  await page.keyboard.press('Escape');
  await page
    .locator('.van-overlay')
    .last()
    .click({ position: { x: 10, y: 10 } })
    .catch(() => undefined);

  await page.locator('[data-test="method-card"]').click();
  await page.locator('[data-test="card-picker"]').waitFor();
  await visit('cashier: card picker');
  await page.locator('[data-test="card-remove-CARD-DEMO-001"]').tap();
  await page.locator('[data-test="card-remove-dialog"]').waitFor();
  await visit('cashier: remove-card dialog');
  await page.locator('[data-test="card-remove-dialog"]').getByRole('button', { name: '取消' }).click();
  await page.locator('[data-test="card-add"]').click();
  await page.locator('[data-test="card-add-sheet"]').waitFor();
  await visit('cashier: add-card sheet');
  await page.locator('[data-test="card-add-submit"]').click();
  await visit('cashier: add-card sheet with errors');
  await page.goBack();
  await expect.poll(() => page.locator('[data-test="card-add-sheet"]').isVisible()).toBe(false);

  await page.locator('[data-test="change-policy"]').click();
  await page.locator('[data-test="change-policy-dialog"]').waitFor();
  await visit('cashier: 更换保单 dialog');
  await page.locator('[data-test="change-policy-dialog"]').getByRole('button', { name: '取消' }).click();

  await page.locator('[data-test="method-balance"]').click();
  await page.locator('[data-test="pay-balance"]').click();
  await page.locator('[data-test="pin-keyboard"]').waitFor();
  await typePin(page, '123456');
  await page.waitForURL(/pay-result/);
  await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 15_000 });
  await visit('result: paid');

  await page.locator('[data-test="to-orders"]').click();
  await page.waitForURL(/orders/);
  await page.locator('[data-test="order-card"]').first().waitFor();
  await visit('records');
  await page.locator('[data-test="order-card"]').first().click();
  await page.locator('[data-test="order-detail-sheet"]').waitFor();
  await visit('record detail');

  await openCashier(page, stack.partnerUrl, '50.00');
  await bindAndPay(page, '6214 8300 0007 2222');
  await expect.poll(() => page.locator('[data-test="result-title"]').innerText()).toBe('处理中');
  await visit('result: processing');

  await openCashier(page, stack.partnerUrl, '60.00');
  await bindAndPay(page, '6214 8300 0003 1111');
  await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 10_000 }).toBe('支付失败');
  await visit('result: failed');

  await openCashier(page, stack.partnerUrl, '70.00');
  await page.locator('[data-test="method-guanaitong"]').click();
  await page.locator('[data-test="gat-type-2"]').click();
  await visit('cashier: 关爱通 types');
  await page.locator('[data-test="pay-guanaitong"]').click();
  await page.waitForURL(`${gatUrl}/sso/login**`);
  await page.getByRole('button', { name: '登录并授权' }).click();
  await page.waitForURL(/gat_pick=/);
  await page.locator('[data-test^="gat-asset-"]').first().waitFor({ timeout: 10_000 });
  await visit('cashier: 关爱通 asset picker');
  // Leaving the picker for the cashier: the trip stays pending there.
  await page.goto(page.url().replace(/&gat_pick=[^&]*/, ''));
  await page.locator('[data-test="cashier-summary"]').waitFor();
  await visit('cashier: 关爱通 trip pending');

  // An order whose deadline passes at the cashier (brought to 2 s from now, as the clock would): it closes itself.
  const expiring = await openCashier(page, stack.partnerUrl, '80.00');
  await stack.runtime.deps.db
    .updateTable('orders')
    .set({ deadline_at: Date.now() + 2_000 })
    .where('order_no', '=', expiring)
    .execute();
  await page.reload();
  await page.locator('[data-test="closed"]').waitFor({ timeout: 15_000 });
  await visit('cashier: closed (deadline passed)');

  await page.goto(`${stack.walletUrl}#/pages/nope/nope`);
  await page.locator('[data-test="not-found"]').waitFor();
  await visit('not found');
  await page.goto(`${stack.walletUrl}#/pages/pay-result/pay-result?order_no=ZF20260101000000000000`);
  await page.locator('[data-test="result-title"], [data-test="load-error"], .van-empty').first().waitFor({ timeout: 10_000 });
  await visit('result: unknown order (error)');
  await page.goto(
    `${stack.walletUrl}#/pages/valid-policy/valid-policy?amout=10.00&refer_no=BAD&claim_no=CLM-DEMO-001&partner_id=demo&timestamp=1&sign=${'a'.repeat(64)}`,
  );
  await page.locator('.van-empty').first().waitFor({ timeout: 10_000 });
  await visit('entry: refused link (error)');
}

/** The console's sign-in (empty, refused) and its overview, signed in as the demo admin. */
export async function walkConsole(stack: Stack, page: Page, visit: Visit): Promise<void> {
  await page.goto(`${stack.walletUrl}#/pages/admin/login`);
  await page.locator('input[name="username"]').waitFor();
  await visit('admin: sign-in');
  await page.locator('[data-test="login-submit"]').click();
  await visit('admin: sign-in with errors');
  await page.locator('input[name="username"]').fill('admin');
  await page.locator('input[name="password"]').fill('admin123');
  await page.locator('[data-test="login-submit"]').click();
  await page.waitForURL(/#\/pages\/admin\/overview/);
  await page.locator('[data-test="clearing-balance"]').waitFor({ timeout: 10_000 });
  await visit('admin: overview');
  // 对账: a run of the last 24 h, its summary and the list of runs.
  await page.goto(`${stack.walletUrl}#/pages/admin/reconcile`);
  await page.locator('[data-test="reconcile-start"]').click();
  await page.locator('[data-test="reconcile-run-state"]', { hasText: /已完成|失败/ }).waitFor({ timeout: 15_000 });
  await visit('admin: reconcile');
}
