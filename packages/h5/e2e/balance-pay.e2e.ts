// In a real headless Chromium at phone size: the partner opens the wallet, the user pays the demo claim by wallet
// balance with PIN 123456, and the partner page shows the signed order_created and paid callbacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitsWidth, payByBalance, startStack, typePin, type Stack } from './stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('balance pay in the browser', () => {
  it('pays CLM-DEMO-001 with PIN 123456 and the partner page shows both signed callbacks', async () => {
    const { page, errors } = await stack.newPage(375);
    await page.goto(`${stack.partnerUrl}/`);
    await page.locator('input[name="amount"]').fill('100.00');
    await page.locator('#open-wallet').click();

    await page.waitForURL(/#\/pages\/valid-policy\/valid-policy/);
    await expect.poll(() => page.locator('[data-test="policy-card"]').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('[data-test="total"]').innerText()).toBe('¥100.00');
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();

    await page.waitForURL(/policy-detail/);
    await expect.poll(() => page.locator('[data-test="self-pay"]').innerText()).toBe('¥20.00');
    expect(await page.locator('[data-test="insurer-pays"]').innerText()).toContain('¥80.00');
    await page.locator('[data-test="confirm"]').click();

    await page.waitForURL(/#\/pages\/cashier\/cashier\?order_no=ZF\d{20}/);
    const orderNo = new URL(page.url().replace('#', '')).searchParams.get('order_no');
    await expect.poll(() => page.locator('[data-test="cashier-summary"] [data-test="self-pay"]').innerText()).toBe('¥20.00');
    expect(await fitsWidth(page)).toBe(true);

    // A refresh of the cashier resumes the same order (the session survives in sessionStorage).
    await page.reload();
    await expect.poll(() => page.locator('[data-test="cashier-summary"]').count(), { timeout: 10_000 }).toBe(1);
    expect(page.url()).toContain(`order_no=${orderNo}`);

    await payByBalance(page, '123456');
    expect(await page.locator('[data-test="result-amount"]').innerText()).toBe('¥20.00');

    // Back in the partner page: the two callbacks, verified.
    await page.goto(`${stack.partnerUrl}/`);
    await expect.poll(() => page.locator('.cb[data-event="paid"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.cb[data-event="order_created"]').count()).toBe(1);
    expect(await page.locator('.cb[data-event="paid"]').innerText()).toContain('签名有效');
    expect(stack.partner.received.map((c) => c.verified)).toEqual([true, true]);
    expect(errors).toEqual([]);
  });

  it('shows a wrong PIN with the tries left, keeps the keyboard, and fits a 320 px screen', async () => {
    const { page } = await stack.newPage(320);
    await page.goto(`${stack.partnerUrl}/open?claim_no=CLM-DEMO-001&amount=50.00`);
    await page.locator('[data-test="policy-card"]').first().waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier/);
    await page.locator('[data-test="cashier-summary"]').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('[data-test="method-balance"]').click();
    await page.locator('[data-test="pay-balance"]').click();
    await typePin(page, '000000');
    await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain('还可尝试 4 次');
    expect(await page.locator('[data-test="pin-keyboard"]').isVisible()).toBe(true);
    expect(page.url()).toContain('cashier');
  });

  it('sends the webview back button from the cashier to the policy, and confirming again resumes the same order', async () => {
    const { page } = await stack.newPage(375);
    await page.goto(`${stack.partnerUrl}/open?claim_no=CLM-DEMO-001&amount=30.00`);
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier/);
    const first = page.url();
    await page.goBack();
    await page.waitForURL(/policy-detail|valid-policy/);
    if (page.url().includes('valid-policy')) {
      // The entry page resumes the open order: straight back to its cashier.
      await page.waitForURL(/cashier/);
    } else {
      await page.locator('[data-test="confirm"]').click();
      await page.waitForURL(/cashier/);
    }
    expect(new URL(page.url().replace('#', '')).searchParams.get('order_no')).toBe(
      new URL(first.replace('#', '')).searchParams.get('order_no'),
    );
  });
});
