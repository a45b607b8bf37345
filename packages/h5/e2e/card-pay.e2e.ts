// In a real headless Chromium against the Payzero simulator in real time: the user binds 6214 8300 0007 2222 at the
// cashier and pays with it; the bank answers after 8 s, so the partner hears `timeout` at 5 s and then `paid`, while
// the result page goes from 处理中 to 支付成功 by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payzeroJobs } from '../../bff/src/modules/card/payzero.integration.ts';
import { createPayzeroSimulator, PAYZERO_SIMULATOR_DEFAULTS, type StartedPayzeroSimulator } from '../../bff/dev/payzero/simulator.ts';
import { fitsWidth, openCashier, startStack, typePin, type Stack } from './stack.ts';

let payzero: StartedPayzeroSimulator;
let stack: Stack;
beforeAll(async () => {
  // Real time (timeScale 1): the BFF's 5-second rule runs on the real clock too. Each order carries the BFF's
  // notify URL, so the simulator needs none of its own.
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

describe('card pay in the browser', () => {
  it('binds the 8-second card, pays, shows 处理中 then 支付成功 without a reload; the partner gets order_created, timeout, paid', async () => {
    const { page, errors } = await stack.newPage(375);
    await openCashier(page, stack.partnerUrl, '100.00');
    await page.locator('[data-test="method-card"]').click();
    // The demo user's bound card is listed (and chosen: it is the only one).
    await expect.poll(() => page.locator('[data-test="card-CARD-DEMO-001"]').innerText()).toContain('招商银行 尾号0000');

    await page.locator('[data-test="card-add"]').click();
    await page.locator('[data-test="card-add-sheet"]').waitFor();
    // A mistyped number is refused in the page (Luhn), before anything is sent.
    await page.locator('[data-test="card-no"] input').fill('6214 8300 0007 2223');
    await page.locator('[data-test="card-add-submit"]').click();
    await expect.poll(() => page.locator('[data-test="card-add-sheet"]').innerText()).toContain('请输入持卡人姓名');
    expect(await page.locator('[data-test="card-no"]').innerText()).toContain('银行卡号有误');

    await page.locator('[data-test="card-holder"] input').fill('张三');
    await page.locator('[data-test="card-id-number"] input').fill('11010519491231002X');
    await page.locator('[data-test="card-no"] input').fill('6214 8300 0007 2222');
    await page.locator('[data-test="card-phone"] input').fill('13800138000');
    await page.locator('[data-test="card-add-submit"]').click();
    // The bank texts a code to the card's phone (the simulator's demo code 123456).
    await page.locator('[data-test="card-sms-code"] input').fill('123456');
    await page.locator('[data-test="card-sms-submit"]').click();

    // The new card is listed first and chosen; the sheet is gone, and so is the full number.
    const newCard = page.locator('[data-test="card-picker"] [data-test^="card-CARD"]').first();
    await expect.poll(() => newCard.innerText(), { timeout: 10_000 }).toContain('尾号2222');
    await expect.poll(() => page.locator('[data-test="card-add-sheet"]').isVisible()).toBe(false);
    expect(await newCard.locator('.van-radio__icon--checked').count()).toBe(1);
    expect(await page.content()).not.toContain('6214 8300 0007 2222');
    expect(page.url()).not.toContain('add_card');

    // The card list fits a 320 px screen.
    await page.setViewportSize({ width: 320, height: 667 });
    expect(await fitsWidth(page)).toBe(true);
    await page.setViewportSize({ width: 375, height: 667 });

    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    await page.locator('[data-test="pay-card"]').click();
    // Every card payment is confirmed with the payment PIN.
    await page.locator('[data-test="pin-keyboard"]').waitFor();
    await typePin(page, '123456');
    await page.waitForURL(/pay-result/);
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText()).toBe('处理中');
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 15_000 }).toBe('支付成功');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.locator('[data-test="result-amount"]').innerText()).toBe('¥20.00');

    await page.goto(`${stack.partnerUrl}/`);
    await expect.poll(() => page.locator('.cb[data-event="paid"]').count(), { timeout: 15_000 }).toBe(1);
    for (const event of ['order_created', 'timeout', 'paid']) {
      expect(await page.locator(`.cb[data-event="${event}"]`).innerText()).toContain('签名有效');
    }
    const bySeq = stack.partner.received
      .map((c) => ({ ...(c.body as { event: string; seq: number; final: boolean }), verified: c.verified }))
      .sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((c) => [c.event, c.final, c.verified])).toEqual([
      ['order_created', false, true],
      ['timeout', false, true],
      ['paid', true, true],
    ]);
    expect(errors).toEqual([]);
  });

  it('keeps the add-card sheet with the webview back button and a refresh; a declined card ends 支付失败 with 再次支付', async () => {
    const { page, errors } = await stack.newPage(375);
    const orderNo = await openCashier(page, stack.partnerUrl, '50.00');
    await page.locator('[data-test="method-card"]').click();
    await page.locator('[data-test="card-add"]').click();
    await page.waitForURL(/add_card=1/);
    // Back closes the sheet and stays on the cashier; a refresh with the sheet open reopens it, empty.
    await page.goBack();
    await expect.poll(() => page.locator('[data-test="card-add-sheet"]').isVisible()).toBe(false);
    expect(page.url()).toContain(`cashier?order_no=${orderNo}`);
    await page.locator('[data-test="card-add"]').click();
    await page.locator('[data-test="card-no"] input').fill('6214 8300 0003 1111');
    await page.reload();
    await page.locator('[data-test="card-add-sheet"]').waitFor();
    expect(await page.locator('[data-test="card-no"] input').inputValue()).toBe('');

    await page.locator('[data-test="card-holder"] input').fill('张三');
    await page.locator('[data-test="card-id-number"] input').fill('11010519491231002X');
    await page.locator('[data-test="card-no"] input').fill('6214 8300 0003 1111');
    await page.locator('[data-test="card-phone"] input').fill('13800138000');
    await page.locator('[data-test="card-add-submit"]').click();
    await page.locator('[data-test="card-sms-code"] input').fill('123456');
    await page.locator('[data-test="card-sms-submit"]').click();
    // The card that paid last (…2222, the test before) is listed first now; the new one is chosen all the same.
    const declinedCard = page.locator('[data-test="card-picker"] [data-test^="card-CARD"]', { hasText: '尾号1111' });
    await expect.poll(() => declinedCard.innerText(), { timeout: 10_000 }).toContain('尾号1111');
    expect(await declinedCard.locator('.van-radio__icon--checked').count()).toBe(1);

    await page.locator('[data-test="pay-card"]').click();
    await page.locator('[data-test="pin-keyboard"]').waitFor();
    await typePin(page, '123456');
    await page.waitForURL(/pay-result/);
    await expect.poll(() => page.locator('[data-test="result-title"]').innerText(), { timeout: 10_000 }).toBe('支付失败');
    expect(await page.locator('[data-test="result-detail"]').innerText()).toBe('银行卡支付被拒绝，请更换支付方式');
    await page.locator('[data-test="pay-again"]').click();
    await page.waitForURL(/cashier/);
    await page.locator('[data-test="method-balance"]').waitFor();
    // After the decline, the declined card is not the default any more: the card that paid last (…2222, the test
    // before) is chosen, the …1111 is listed last and flagged.
    await page.locator('[data-test="method-card"]').click();
    const chosen = page.locator('[data-test="card-picker"] .van-cell', { has: page.locator('.van-radio__icon--checked') });
    await expect.poll(() => chosen.innerText()).toContain('尾号2222');
    expect(await page.locator('[data-test="card-picker"] [data-test^="card-CARD"]').last().innerText()).toContain('尾号1111');
    expect(await page.locator('[data-test="card-picker"]').innerText()).toContain('上次支付被拒绝');
    expect(errors).toEqual([]);

    // The bank's refusal is called back (it reached the bank), after order_created.
    await expect
      .poll(() => stack.partner.received.filter((c) => (c.body as { order_no?: string }).order_no === orderNo).length, { timeout: 10_000 })
      .toBe(2);
    const events = stack.partner.received
      .filter((c) => (c.body as { order_no?: string }).order_no === orderNo)
      .map((c) => (c.body as { event: string }).event);
    expect(events.sort()).toEqual(['failed', 'order_created']);
  });
});
