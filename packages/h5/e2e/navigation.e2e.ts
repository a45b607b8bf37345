// Issue 13's remaining journeys, at 375 × 667 and 320 × 568 with a phone's user agent and touch: an order whose
// deadline passes at the open cashier (closed, a way back, paying refused), and refresh + back on every page — entry,
// policy detail, cashier, result, records, a record's detail — each resuming what was shown, and back always ending
// in the partner app.
import type { Page } from 'playwright-core';
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
const orderNoOf = (page: Page): string => new URL(page.url().replace('#', '')).searchParams.get('order_no') ?? '';
const eventsOf = (orderNo: string): string[] =>
  stack.partner.received
    .map((c) => c.body as { order_no: string; event: string; seq: number })
    .filter((c) => c.order_no === orderNo)
    .sort((a, b) => a.seq - b.seq)
    .map((c) => c.event);

/** The partner page, then the wallet opened from it (as in the partner's app), at the policy list. */
async function enter(page: Page, amount: string, refer: string): Promise<void> {
  await page.goto(`${stack.partnerUrl}/`);
  await page.locator('input[name="amount"]').fill(amount);
  await page.locator('input[name="refer_no"]').fill(refer);
  await page.locator('#open-wallet').click();
  await page.waitForURL(/#\/pages\/valid-policy\/valid-policy/);
  await page.locator('[data-test="policy-card"]').first().waitFor({ timeout: 15_000 });
}

/** Reloads and waits until `ready` shows again. */
async function refresh(page: Page, ready: string): Promise<void> {
  await page.reload();
  await page.locator(ready).first().waitFor({ timeout: 15_000 });
}

describe.each(VIEWPORTS)('navigation at $width × $height', ({ width }) => {
  it('closes the cashier when the deadline passes: 订单已关闭或已过期, a way back, and paying is refused', async () => {
    const { page, errors } = await stack.newPage(width);
    await enter(page, '30.00', referNo('EXP', width));
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier\?order_no=/);
    const orderNo = orderNoOf(page);
    await page.locator('[data-test="countdown"]').waitFor();

    // The deadline is 30 minutes out; bring it to 4 s from now (the order's row, as the clock passing would).
    await stack.runtime.deps.db
      .updateTable('orders')
      .set({ deadline_at: Date.now() + 4_000 })
      .where('order_no', '=', orderNo)
      .execute();
    await refresh(page, '[data-test="countdown"]');
    expect(await page.locator('[data-test="countdown"]').innerText()).toMatch(/00:0[0-4]/);
    // The countdown reaches zero on the open page: the cashier closes itself, no reload.
    await page.locator('[data-test="closed"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-test="closed"]').innerText()).toContain('订单已关闭或已过期');
    expect(await page.locator('[data-test="pay-balance"], [data-test="pay-card"], [data-test="method-balance"]').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);

    // Paying it anyway (a stale tab, a crafted request) is refused with its code, and nothing is paid.
    const refused = await page.evaluate(async (no) => {
      const token = (JSON.parse(sessionStorage.getItem('zf.session') ?? '{}') as { session?: { token?: string } }).session?.token;
      const res = await fetch(`/api/orders/${no}/pay/balance`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ pin: '123456' }),
      });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    }, orderNo);
    expect(refused).toEqual({ status: 409, body: expect.objectContaining({ code: 'ZF0070' }) });
    // The expiry job closes the order: the partner hears `closed`, never `paid`.
    await expect.poll(() => eventsOf(orderNo), { timeout: 25_000 }).toEqual(['order_created', 'closed']);

    // A refresh shows it closed still; the way back (完成: no return_url) leaves for the partner page.
    await refresh(page, '[data-test="closed"]');
    expect(await page.locator('[data-test="leave"]').innerText()).toBe('完成');
    await page.locator('[data-test="leave"]').click();
    await page.waitForURL(`${stack.partnerUrl}/`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });

  it('refresh resumes and back goes where a phone user expects on every page, always ending in the partner app', async () => {
    const { page, errors } = await stack.newPage(width);
    await enter(page, '40.00', referNo('NAV', width));
    const policies = await page.locator('[data-test="policy-card"]').count();

    // Entry: a refresh keeps the bill and its policies (the session survives it); its nav bar offers 关闭.
    await refresh(page, '[data-test="policy-card"]');
    expect(await page.locator('[data-test="total"]').innerText()).toBe('¥40.00');
    expect(await page.locator('[data-test="policy-card"]').count()).toBe(policies);
    expect(await page.locator('.van-nav-bar__left').innerText()).toBe('关闭');

    // Policy detail: a refresh keeps the quote; back returns to the list.
    await page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await page.waitForURL(/policy-detail/);
    await refresh(page, '[data-test="self-pay"]');
    expect(await page.locator('[data-test="self-pay"]').innerText()).toBe('¥8.00');
    await page.goBack();
    await page.waitForURL(/valid-policy/);
    await page.locator('[data-test="policy-card"]').first().waitFor();
    await page.goForward();
    await page.waitForURL(/policy-detail/);
    await page.locator('[data-test="confirm"]').click();

    // Cashier: a refresh keeps the order; back returns to the quote (not to the cashier again).
    await page.waitForURL(/cashier\?order_no=/);
    const orderNo = orderNoOf(page);
    await refresh(page, '[data-test="cashier-summary"]');
    expect(orderNoOf(page)).toBe(orderNo);
    await page.goBack();
    await page.waitForURL(/policy-detail/);
    await page.locator('[data-test="confirm"]').click();
    await page.waitForURL(/cashier\?order_no=/);
    expect(orderNoOf(page)).toBe(orderNo);

    // Result: a refresh shows the same success.
    await payByBalance(page);
    await refresh(page, '[data-test="result-title"]');
    expect(await page.locator('[data-test="result-title"]').innerText()).toBe('支付成功');
    expect(orderNoOf(page)).toBe(orderNo);

    // Records from the result: a refresh keeps the list; a record's detail survives a refresh, back closes it.
    await page.locator('[data-test="to-orders"]').click();
    await page.waitForURL(/orders\/orders/);
    await refresh(page, '[data-test="order-card"]');
    const record = page.locator('[data-test="order-card"]', { hasText: orderNo.slice(-6) });
    await record.click();
    const sheet = page.locator('[data-test="order-detail-sheet"]');
    await sheet.waitFor();
    await refresh(page, '[data-test="order-detail-sheet"]');
    expect(await sheet.innerText()).toContain('POL-PICC-001');
    await page.goBack();
    await expect.poll(() => sheet.isVisible()).toBe(false);
    expect(page.url()).toMatch(/orders\/orders$/);
    expect(await fitsWidth(page)).toBe(true);

    // Back from the records returns to the result; back from the result leaves the wallet for the partner page.
    await page.goBack();
    await page.waitForURL(/pay-result/);
    await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor();
    await page.goBack();
    await page.waitForURL(`${stack.partnerUrl}/`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });

  it('leaves from the entry page with 关闭 in the nav bar', async () => {
    const { page, errors } = await stack.newPage(width);
    await enter(page, '12.00', referNo('LEAVE', width));
    await page.locator('.van-nav-bar__left').click();
    await page.waitForURL(`${stack.partnerUrl}/`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});
