// Issue 13's H5 journeys in a real Chromium, at 375 × 667 and 320 × 568 with a phone's user agent and touch: a short
// balance offered as 余额不足 with a method that can pay pre-selected, 完成 and back leaving a finished wallet for the
// partner, and a cashier left open in another tab following the payment made in the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitsWidth, payByBalance, startStack, VIEWPORTS, type Stack } from './stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const referNo = (tag: string, width: number) => `E2E-${tag}-${width}-${Date.now() % 1_000_000}`;

describe.each(VIEWPORTS)('H5 journeys at $width × $height', ({ width }) => {
  it('marks a balance of ¥1.00 against ¥25.00 余额不足 and pre-selects the card (defect 6)', async () => {
    const { page, errors } = await stack.newPage(width);
    await page.goto(`${stack.partnerUrl}/open?claim_no=CLM-DEMO-003&amount=50.00&refer_no=${referNo('SHORT', width)}`);
    // One policy (50 %): the entry page's headline is what the user pays, beside the bill.
    await expect.poll(() => page.locator('[data-test="entry-self-pay"]').innerText(), { timeout: 15_000 }).toBe('¥25.00');
    expect(await page.locator('[data-test="total"]').innerText()).toBe('¥50.00');
    await page.locator('[data-test="policy-card"]').first().click();
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier/);
    const balance = page.locator('[data-test="method-balance"]');
    await expect.poll(() => balance.innerText()).toContain('余额不足');
    expect(await page.locator('[data-test="pay-balance"]').count()).toBe(0);
    await page.locator('[data-test="pay-card"]').waitFor();
    // Marked disabled for assistive technology too; a tap on it anyway changes nothing.
    expect(await balance.getAttribute('aria-disabled')).toBe('true');
    await balance.click({ force: true });
    expect(await page.locator('[data-test="pay-balance"]').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('goes back to the partner page with 完成 after paying, and back from the result leaves too (defect 2)', async () => {
    const { page, errors } = await stack.newPage(width);
    for (const leave of ['finish', 'back'] as const) {
      // Opened from the partner's page, as in its app: that page is where the wallet returns.
      await page.goto(`${stack.partnerUrl}/`);
      await page.locator('input[name="amount"]').fill('20.00');
      await page.locator('#open-wallet').click();
      await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
      await page.locator('[data-test="confirm"]').click();
      await page.waitForURL(/cashier/);
      // Back from the cashier returns to the quote, not to the cashier again.
      await page.goBack();
      await page.waitForURL(/policy-detail/);
      await page.locator('[data-test="confirm"]').click();
      await page.waitForURL(/cashier/);
      await payByBalance(page);
      expect(await fitsWidth(page)).toBe(true);
      expect(await page.locator('[data-test="finish"]').innerText()).toBe('完成');
      // No return_url: window.close() is ignored for a tab the user opened, so the wallet goes back past its entry.
      if (leave === 'finish') await page.locator('[data-test="finish"]').click();
      else await page.goBack();
      await page.waitForURL(`${stack.partnerUrl}/`, { timeout: 10_000 });
    }
    expect(errors).toEqual([]);
  });

  it('stops a cashier left open in another tab once the order is paid in this one (defect 7)', async () => {
    const refer = referNo('TABS', width);
    const link = `${stack.partnerUrl}/open?claim_no=CLM-DEMO-001&amount=40.00&refer_no=${refer}`;
    const first = await stack.newPage(width);
    await first.page.goto(link);
    await first.page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await first.page.locator('[data-test="confirm"]').click();
    await first.page.waitForURL(/cashier/);
    await first.page.locator('[data-test="countdown"]').waitFor();

    // The same link in another tab resumes the same order at its cashier, and pays it.
    const second = await stack.newPage(width);
    await second.page.goto(link);
    await second.page.waitForURL(/cashier/, { timeout: 15_000 });
    await payByBalance(second.page);

    // The first tab is shown again (visibilitychange) or polls: it follows the order to its result.
    await first.page.bringToFront();
    await first.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await first.page.waitForURL(/pay-result/, { timeout: 20_000 });
    await first.page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 10_000 });
    expect(first.errors).toEqual([]);
  });
});
