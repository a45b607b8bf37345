// Issue 13 in a real headless Chromium (touch, 375 px, checked at 320 px) against the Payzero simulator: a user with
// no PIN binds a card with its SMS code, sets the PIN at the cashier and pays by card with it; 解绑 a card;
// 更换保单 closes the order and goes back to the policies; the Y = 0 demo policy is paid on confirm.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payzeroJobs } from '../../bff/src/modules/card/payzero.integration.ts';
import { createPayzeroSimulator, PAYZERO_SIMULATOR_DEFAULTS, type StartedPayzeroSimulator } from '../../bff/dev/payzero/simulator.ts';
import { fitsWidth, openCashier, startStack, typePin, type Stack } from './stack.ts';

let payzero: StartedPayzeroSimulator;
let stack: Stack;
beforeAll(async () => {
  payzero = await createPayzeroSimulator({ ...PAYZERO_SIMULATOR_DEFAULTS, timeScale: 1 }).start(0);
  stack = await startStack({
    env: {
      PAYZERO_BASE_URL: payzero.url,
      PAYZERO_USERNAME: PAYZERO_SIMULATOR_DEFAULTS.username,
      PAYZERO_PASSWORD: PAYZERO_SIMULATOR_DEFAULTS.password,
      PAYZERO_SIGN_TOKEN: PAYZERO_SIMULATOR_DEFAULTS.signToken,
    },
    jobs: (runtime) => payzeroJobs(runtime.deps),
  });
});
afterAll(async () => {
  await stack?.stop();
  await payzero?.close();
});

const eventsOf = (orderNo: string): string[] =>
  stack.partner.received
    .map((c) => c.body as { order_no: string; event: string; seq: number })
    .filter((c) => c.order_no === orderNo)
    .sort((a, b) => a.seq - b.seq)
    .map((c) => c.event);

/** The demo partner page opens the wallet for `claimNo` with `amount`; the user picks `policyNo`. */
async function openPolicy(page: Page, claimNo: string, amount: string, policyNo: string): Promise<void> {
  await page.goto(`${stack.partnerUrl}/`);
  await page.locator('select[name="claim_no"]').selectOption(claimNo);
  await page.locator('input[name="amount"]').fill(amount);
  await page.locator('#open-wallet').click();
  await page.waitForURL(/#\/pages\/valid-policy\/valid-policy/);
  await page.locator('[data-test="policy-card"]', { hasText: policyNo }).click();
  await page.waitForURL(/policy-detail/);
}

const orderNoOf = (page: Page): string => new URL(page.url().replace('#', '')).searchParams.get('order_no') ?? '';

describe('issue 13 journeys in the browser', () => {
  it('a user without a PIN binds a card with the SMS code, sets the PIN (twice + SMS) at the cashier, and pays by card with it', async () => {
    const { page, errors } = await stack.newPage(375);
    await openPolicy(page, 'CLM-DEMO-005', '50.00', 'POL-PICC-005');
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier\?order_no=/);
    const orderNo = orderNoOf(page);
    await page.locator('[data-test="pin-set"]').waitFor();
    await page.locator('[data-test="method-card"]').click();
    await page.locator('[data-test="card-add"]').click();
    await page.locator('[data-test="card-holder"] input').fill('孙七');
    await page.locator('[data-test="card-id-number"] input').fill('11010519491231002X');
    await page.locator('[data-test="card-no"] input').fill('6214 8300 0009 0000');
    await page.locator('[data-test="card-phone"] input').fill('13800138000');
    await page.locator('[data-test="card-add-submit"]').click();
    await expect.poll(() => page.locator('[data-test="card-sms-sent"]').innerText()).toContain('138****8000');
    await page.locator('[data-test="card-sms-code"] input').fill('111111');
    await page.locator('[data-test="card-sms-submit"]').click();
    await expect.poll(() => page.locator('[data-test="card-add-error"]').innerText()).toBe('短信验证码错误，还可尝试 2 次');
    await page.locator('[data-test="card-sms-code"] input').fill('123456');
    await page.locator('[data-test="card-sms-submit"]').click();
    const card = page.locator('[data-test="card-picker"] [data-test^="card-CARD"]').first();
    await expect.poll(() => card.innerText(), { timeout: 10_000 }).toContain('尾号0000');

    // Paying asks for a PIN first: there is none yet.
    await page.locator('[data-test="pay-card"]').click();
    const setup = page.locator('[data-test="pin-setup"]');
    await setup.waitFor();
    await page.locator('[data-test="pin-setup-send"]').click();
    await expect.poll(() => page.locator('[data-test="pin-setup-sent"]').innerText()).toContain('138****8000');
    await page.locator('[data-test="pin-setup-code"] input').fill('123456');
    await page.locator('[data-test="pin-setup-pin"] input').fill('246810');
    await page.locator('[data-test="pin-setup-confirm"] input').fill('246810');
    await page.setViewportSize({ width: 320, height: 568 });
    expect(await fitsWidth(page)).toBe(true);
    await page.setViewportSize({ width: 375, height: 667 });
    await page.locator('[data-test="pin-setup-submit"]').click();
    await expect.poll(() => setup.isVisible()).toBe(false);
    await page.locator('[data-test="pin-reset"]').waitFor();

    await page.locator('[data-test="pay-card"]').click();
    await page.locator('[data-test="pin-keyboard"]').waitFor();
    await typePin(page, '246810');
    await page.waitForURL(/pay-result/);
    await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => eventsOf(orderNo), { timeout: 10_000 }).toEqual(['order_created', 'paid']);
    expect(errors).toEqual([]);
  });

  it('removes a bound card after asking (解绑)', async () => {
    const { page, errors } = await stack.newPage(375);
    await openCashier(page, stack.partnerUrl, '10.00');
    await page.locator('[data-test="method-card"]').click();
    await page.locator('[data-test="card-remove-CARD-DEMO-001"]').tap();
    const dialog = page.locator('[data-test="card-remove-dialog"]');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('尾号0000');
    await dialog.getByRole('button', { name: '解绑' }).click();
    await expect.poll(() => page.locator('[data-test="card-CARD-DEMO-001"]').count()).toBe(0);
    expect(await page.locator('[data-test="card-add"]').innerText()).toContain('暂无绑定的银行卡');
    expect(await page.locator('[data-test="pay-card"]').innerText()).toBe('请选择银行卡');
    expect(errors).toEqual([]);
  });

  it('更换保单 closes the open order (the partner hears `closed`) and goes back to the policy list, where another policy makes a new order', async () => {
    const { page, errors } = await stack.newPage(375);
    const first = await openCashier(page, stack.partnerUrl, '100.00');
    await page.locator('[data-test="change-policy"]').click();
    const dialog = page.locator('[data-test="change-policy-dialog"]');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: '更换保单' }).click();
    await page.waitForURL(/#\/pages\/valid-policy\/valid-policy/);
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PAIC-001' }).click();
    await page.waitForURL(/policy-detail/);
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier\?order_no=/);
    const second = orderNoOf(page);
    expect(second).not.toBe(first);
    await expect.poll(() => eventsOf(first), { timeout: 10_000 }).toEqual(['order_created', 'closed']);
    // Back from the new cashier does not reopen the closed order's cashier.
    expect(page.url()).not.toContain(first);
    expect(errors).toEqual([]);
  });

  it('Y = 0: the CPIC policy pays everything — confirmed, paid at once, on the result page', async () => {
    const { page, errors } = await stack.newPage(375);
    await openPolicy(page, 'CLM-DEMO-004', '100.00', 'POL-CPIC-004');
    await expect.poll(() => page.locator('body').innerText()).toContain('¥0.00');
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/pay-result/);
    await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 15_000 });
    const orderNo = orderNoOf(page);
    await expect.poll(() => eventsOf(orderNo), { timeout: 10_000 }).toEqual(['order_created', 'paid']);
    await page.setViewportSize({ width: 320, height: 568 });
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
  });
});
