// In a real headless Chromium against the Guanaitong simulator: the user pays with 关爱通 points (login, Guanaitong's
// cashier, back to our result page, settled by the notify), and with a quota asset chosen in our picker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guanaitongJobs } from '../../bff/src/modules/guanaitong/guanaitong.integration.ts';
import { createGuanaitongSimulator, type RunningGuanaitongSimulator } from '../../bff/dev/guanaitong/simulator.ts';
import { TEST_GAT } from '../../bff/testing/guanaitong.ts';
import { fitsWidth, openCashier, reservePort, startStack, typePin, type Stack } from './stack.ts';

let guanaitong: RunningGuanaitongSimulator;
let stack: Stack;
beforeAll(async () => {
  // Its pages (login, cashier) are opened by the browser at its own URL, which must be known before it starts.
  const port = await reservePort();
  guanaitong = await createGuanaitongSimulator({ ...TEST_GAT, timeScale: 1, publicUrl: `http://127.0.0.1:${port}` }).start(port);
  stack = await startStack({
    env: {
      GAT_BASE_URL: guanaitong.url,
      GAT_APPID: TEST_GAT.appid,
      GAT_APPSECRET: TEST_GAT.appsecret,
      GAT_SELLER_APPID: TEST_GAT.sellerAppid,
    },
    jobs: (runtime) => guanaitongJobs(runtime.deps),
  });
});
afterAll(async () => {
  await stack?.stop();
  await guanaitong?.close();
});

const eventsOf = (orderNo: string): string[] =>
  stack.partner.received
    .map((c) => ({ ...(c.body as { order_no: string; event: string; seq: number }), verified: c.verified }))
    .filter((c) => c.order_no === orderNo && c.verified)
    .sort((a, b) => a.seq - b.seq)
    .map((c) => c.event);

describe('关爱通 in the browser', () => {
  it('pays with points through Guanaitong’s login and cashier, and lands on 支付成功, also after a reload', async () => {
    const { page, errors } = await stack.newPage(375);
    const orderNo = await openCashier(page, stack.partnerUrl, '100.00');
    await page.locator('[data-test="method-guanaitong"]').click();
    await page.locator('[data-test="gat-type-1"]').click();
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('[data-test="pay-guanaitong"]').click();

    await page.waitForURL(`${guanaitong.url}/sso/login**`);
    await page.getByRole('button', { name: '登录并授权' }).click();
    await page.waitForURL(`${guanaitong.url}/cashier**`);
    expect(await page.locator('.amount').innerText()).toBe('¥20.00');
    await page.getByRole('button', { name: '确认支付' }).click();

    await page.waitForURL(`${stack.walletUrl}#/pages/pay-result/pay-result?order_no=${orderNo}`);
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 15_000 }).toBe('支付成功');
    expect(await page.locator('[data-test="result-amount"]').innerText()).toBe('¥20.00');
    await page.reload();
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 10_000 }).toBe('支付成功');

    await page.goto(`${stack.partnerUrl}/`);
    await expect.poll(() => page.locator('.cb[data-event="paid"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.cb[data-event="order_created"]').innerText()).toContain('签名有效');
    expect(await page.locator('.cb[data-event="paid"]').innerText()).toContain('签名有效');
    expect(eventsOf(orderNo)).toEqual(['order_created', 'paid']);
    expect(errors).toEqual([]);
  });

  it('pays with a quota asset picked in the wallet (the short one disabled), at 320 px', async () => {
    const { page, errors } = await stack.newPage(320);
    // ¥2,000.00 under PICC 80 %: the user pays ¥400.00, more than the ¥300.00 health-check quota holds.
    const orderNo = await openCashier(page, stack.partnerUrl, '2000.00');
    await page.locator('[data-test="method-guanaitong"]').click();
    await page.locator('[data-test="gat-type-2"]').click();
    await page.locator('[data-test="pay-guanaitong"]').click();
    await page.waitForURL(`${guanaitong.url}/sso/login**`);
    await page.getByRole('button', { name: '登录并授权' }).click();

    // Several quota assets: the BFF sends the browser back to our cashier's picker.
    await page.waitForURL(/#\/pages\/cashier\/cashier\?.*gat_pick=/);
    const assets = page.locator('[data-test^="gat-asset-"]');
    await expect.poll(() => assets.count(), { timeout: 10_000 }).toBe(2);
    const short = assets.filter({ hasText: '健康体检额度' });
    expect(await short.innerText()).toContain('额度不足');
    expect(await short.locator('.van-radio__icon--disabled').count()).toBe(1);
    expect(await page.locator('[data-test="gat-countdown"]').innerText()).toMatch(/00:[0-5]\d/);
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('[data-test="gat-pick-pay"]').click();

    await page.waitForURL(`${guanaitong.url}/cashier**`);
    expect(await page.locator('main').innerText()).toContain('医疗福利额度');
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.waitForURL(/#\/pages\/pay-result\/pay-result/);
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 15_000 }).toBe('支付成功');

    await expect.poll(() => eventsOf(orderNo), { timeout: 10_000 }).toEqual(['order_created', 'paid']);
    expect(errors).toEqual([]);
  });

  it('lets a user who leaves Guanaitong’s cashier with the back button pay another way', async () => {
    const { page, errors } = await stack.newPage(375);
    const orderNo = await openCashier(page, stack.partnerUrl, '30.00');
    await page.locator('[data-test="method-guanaitong"]').click();
    await page.locator('[data-test="pay-guanaitong"]').click();
    await page.getByRole('button', { name: '登录并授权' }).click();
    await page.waitForURL(`${guanaitong.url}/cashier**`);
    const guanaitongCashierUrl = page.url();

    // Back past Guanaitong's pages to our cashier: the unfinished trip is pointed out, the other methods stay usable.
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/#\/pages\/cashier\/cashier/);
    await expect.poll(() => page.locator('[data-test="gat-pending"]').count(), { timeout: 10_000 }).toBe(1);

    // Issue 13 defect 1: paying another way asks first and says what it means; cancelling pays nothing.
    await page.locator('[data-test="method-balance"]').click();
    await page.locator('[data-test="pay-balance"]').click();
    const dialog = page.locator('[data-test="supersede-dialog"]');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('多付的款项将原路退回');
    await dialog.getByRole('button', { name: '再想想' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.locator('[data-test="pin-keyboard"]').isVisible()).toBe(false);
    await page.locator('[data-test="pay-balance"]').click();
    await dialog.getByRole('button', { name: '继续支付' }).click();
    await page.locator('[data-test="pin-keyboard"]').waitFor();
    await typePin(page, '123456');
    await page.waitForURL(/pay-result/);
    await page.locator('[data-test="result-title"]', { hasText: /^支付成功$/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => eventsOf(orderNo), { timeout: 10_000 }).toEqual(['order_created', 'paid']);

    // The Guanaitong cashier, still open, is paid too: a DOUBLE_PAYMENT; the result page says it will be refunded.
    await page.goto(guanaitongCashierUrl);
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.waitForURL(/#\/pages\/pay-result\/pay-result/);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('[data-test="extra-payment"]').count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(1);
    expect(await page.locator('[data-test="extra-payment"]').innerText()).toContain('¥6.00');
    expect(await page.locator('[data-test="extra-payment"]').innerText()).toContain('原路退回');
    const alerts = await stack.runtime.deps.db.selectFrom('alerts').select('kind').where('order_no', '=', orderNo).execute();
    expect(alerts.map((a) => a.kind)).toEqual(['DOUBLE_PAYMENT']);
    expect(eventsOf(orderNo)).toEqual(['order_created', 'paid']);
    expect(errors).toEqual([]);
  });
});
