// In a real headless Chromium at 320 px: a user pays an order; the finance admin opens 对账, runs a reconciliation of
// the last 24 h and sees it clean; a difference is planted in the database (the order's final callback never
// delivered); the next run shows it under its check with a link to the order page; back returns to the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../bff/src/modules/demo/demo.seed.ts';
import { fitsWidth, openCashier, payByBalance, startStack, type Stack } from './stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('reconciliation in the console', () => {
  it('a finance admin runs it clean, then a planted difference shows on the next run with a link to its order', async () => {
    const { db } = stack.runtime.deps;
    const user = await stack.newPage(375);
    const orderNo = await openCashier(user.page, stack.partnerUrl, '100.00');
    await payByBalance(user.page);
    // The paid order's final callback delivered to the demo partner by the callback job.
    const finalStatus = async () =>
      (await db.selectFrom('callback_events').select('status').where('order_no', '=', orderNo).where('final', '=', 1).executeTakeFirst())
        ?.status;
    await expect.poll(finalStatus, { timeout: 15_000 }).toBe('delivered');

    const { page, errors } = await stack.newPage(320);
    await page.goto(`${stack.walletUrl}#/pages/admin/login`);
    await page.locator('input[name="username"]').fill(DEMO.admin.username);
    await page.locator('input[name="password"]').fill(DEMO.admin.password);
    await page.locator('[data-test="login-submit"]').click();
    await page.waitForURL(/#\/pages\/admin\/overview/);
    await page.locator('.admin-shell__link', { hasText: '对账' }).click();
    await page.waitForURL(/#\/pages\/admin\/reconcile/);
    await page.getByText('还没有对账记录').waitFor();
    expect(await fitsWidth(page)).toBe(true);

    await page.locator('[data-test="reconcile-start"]').click();
    await page.waitForURL(/reconcile\?run=RC/);
    await page.locator('[data-test="reconcile-clean"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-test="reconcile-run-state"]').innerText()).toContain('已完成');
    expect(await page.locator('[data-test="reconcile-run"]').innerText()).toContain('订单 1 笔');
    await page.locator('[data-test^="reconcile-row-"]').first().waitFor();
    expect(await page.locator('[data-test^="reconcile-row-"]').first().innerText()).toContain('差异 0 条');
    const firstRun = new URL(page.url().replace('#', '')).searchParams.get('run');

    // Planted: the order's final callback back to pending, as if it had never been delivered.
    await db
      .updateTable('callback_events')
      .set({ status: 'pending', next_attempt_at: Date.now() + 3600_000 })
      .where('order_no', '=', orderNo)
      .where('final', '=', 1)
      .execute();
    await page.locator('[data-test="reconcile-start"]').click();
    await page.locator('[data-test="reconcile-group-callback"]').waitFor({ timeout: 15_000 });
    expect(new URL(page.url().replace('#', '')).searchParams.get('run')).not.toBe(firstRun);
    expect(await page.locator('[data-test="reconcile-group-callback"]').innerText()).toContain('最终回调未送达');
    expect(await page.locator('[data-test^="reconcile-row-"]').count()).toBe(2);
    expect(await page.locator('[data-test^="reconcile-row-"]').first().innerText()).toContain('差异 1 条');
    expect(await fitsWidth(page)).toBe(true);

    // A refresh keeps the run on screen; its link opens the order page; back returns to the run.
    await page.reload();
    await page.locator(`[data-test="reconcile-order-${orderNo}"]`).click();
    await page.waitForURL(new RegExp(`#/pages/admin/order\\?order_no=${orderNo}`));
    await page.getByText(`订单 ${orderNo}`).first().waitFor();
    await page.goBack();
    await page.locator('[data-test="reconcile-group-callback"]').waitFor();
    // The earlier, clean run is one tap away in the list.
    await page.locator(`[data-test="reconcile-row-${firstRun}"]`).click();
    await page.locator('[data-test="reconcile-clean"]').waitFor();
    expect(errors).toEqual([]);
    // Put back what the stack's own checks read (the callback job is left nothing to do).
    await db.updateTable('callback_events').set({ status: 'delivered' }).where('order_no', '=', orderNo).where('final', '=', 1).execute();
  }, 90_000);
});
