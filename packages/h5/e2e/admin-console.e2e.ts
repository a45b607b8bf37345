// In a real headless Chromium: a real balance payment while the clearing ledger is empty raises CLEARING_LEDGER_SHORT;
// an admin signs in (desktop width), sees it, recharges the clearing ledger, completes the task, and the ledger page
// shows the merchant's balance and a passing ledger check. Then a locked PIN is unlocked from the console and the user pays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../bff/src/db/database.ts';
import { Accounts, balanceOf, transfer } from '../../bff/src/ledger/ledger.ts';
import { fitsWidth, openCashier, payByBalance, startStack, typePin, type Stack } from './stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function signIn(width: number) {
  const { page, errors } = await stack.newPage(width);
  await page.goto(`${stack.walletUrl}#/pages/admin/login`);
  await page.locator('input[name="username"]').fill('admin');
  await page.locator('input[name="password"]').fill('admin123');
  await page.locator('[data-test="login-submit"]').click();
  await page.waitForURL(/#\/pages\/admin\/overview/);
  return { page, errors };
}

describe('operator console in the browser', () => {
  it('handles a CLEARING_LEDGER_SHORT raised by a real payment: recharge, complete, ledger check', async () => {
    const { db, clock } = stack.runtime.deps;
    // The company clearing ledger is spent (through the ledger: a balanced transfer out), so the payment parks X.
    const clearing = await balanceOf(db, Accounts.clearing);
    await inTransaction(db, (trx) =>
      transfer(trx, {
        key: 'e2e:drain-clearing',
        from: Accounts.clearing,
        to: Accounts.world,
        amountFen: clearing,
        memo: 'e2e: clearing spent',
        now: clock.now(),
      }),
    );

    const user = await stack.newPage(375);
    await openCashier(user.page, stack.partnerUrl, '100.00');
    await payByBalance(user.page);

    const { page, errors } = await signIn(1280);
    await page.locator('[data-test="open-CLEARING_LEDGER_SHORT"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-test="clearing-balance"]').innerText()).toContain('¥0.00');

    await page.locator('[data-test="open-CLEARING_LEDGER_SHORT"]').click();
    await page.locator('[data-test="alert-CLEARING_LEDGER_SHORT"]', { hasText: '¥80.00' }).waitFor();

    await page.goto(`${stack.walletUrl}#/pages/admin/clearing`);
    await page.locator('[data-test="task-complete"]').waitFor();
    await page.locator('[data-test="recharge-amount"] input').fill('100.00');
    await page.locator('[data-test="recharge-reference"] input').fill('BANK-E2E-0001');
    await page.locator('[data-test="recharge-submit"]').click();
    await expect.poll(() => page.locator('[data-test="clearing-balance"]').innerText(), { timeout: 10_000 }).toContain('¥100.00');
    await page.locator('[data-test="task-complete"]').click();
    await expect.poll(() => page.locator('[data-test="task-complete"]').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('[data-test="clearing-balance"]').innerText()).toContain('¥20.00');

    await page.goto(`${stack.walletUrl}#/pages/admin/ledger`);
    await page.locator('[data-test="ledger-check"]', { hasText: '校验通过' }).waitFor();
    expect(await page.locator('[data-test="account-merchant:demo"]').innerText()).toContain('¥100.00');
    expect(await balanceOf(db, Accounts.merchant('demo'))).toBe(10_000);
    expect(errors).toEqual([]);
  });

  it('unlocks a PIN locked after 5 wrong tries; the user then pays (phone width)', async () => {
    const user = await stack.newPage(375);
    const orderNo = await openCashier(user.page, stack.partnerUrl, '50.00');
    await user.page.locator('[data-test="method-balance"]').click();
    await user.page.locator('[data-test="pay-balance"]').click();
    await user.page.locator('[data-test="pin-keyboard"]').waitFor();
    const { db } = stack.runtime.deps;
    const failed = async () =>
      Number((await db.selectFrom('users').select('pin_failed').where('id', '=', 'U-DEMO-001').executeTakeFirstOrThrow()).pin_failed);
    // The sheet stays open after a wrong PIN; each try is counted by the server before the next one.
    for (let i = 1; i <= 5; i++) {
      await typePin(user.page, '000000');
      await expect.poll(failed, { timeout: 10_000 }).toBe(i);
    }
    await expect
      .poll(
        async () =>
          (await db.selectFrom('users').select('pin_locked_at').where('id', '=', 'U-DEMO-001').executeTakeFirstOrThrow()).pin_locked_at !==
          null,
        { timeout: 10_000 },
      )
      .toBe(true);

    const { page } = await signIn(375);
    await page.goto(`${stack.walletUrl}#/pages/admin/users`);
    await page.locator('[data-test="user-U-DEMO-001"]').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('[data-test="user-U-DEMO-001"] [data-test="unlock-reason"] input').fill('本人来电，已核实身份');
    await page.locator('[data-test="user-U-DEMO-001"] [data-test="unlock-submit"]').click();
    await expect.poll(() => page.locator('[data-test="user-U-DEMO-001"]').count(), { timeout: 10_000 }).toBe(0);

    await user.page.goto(`${stack.walletUrl}#/pages/cashier/cashier?order_no=${orderNo}`);
    await user.page.reload();
    await user.page.locator('[data-test="cashier-summary"]').waitFor();
    await payByBalance(user.page);
  });
});
