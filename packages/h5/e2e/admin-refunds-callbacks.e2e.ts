// In a real headless Chromium, on a BFF whose clock the test moves forward (a day of callback retries in seconds):
// a partner receiver answering 500 lets an order's callbacks die; an admin replays the dead event from the console's
// 回调 page and it is delivered with its event_id. Then the finance admin refunds part of that order from the order
// page and sees it succeed; the money is where it should be and the ledger check passes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSignedLink } from '@zf/shared/partner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, balanceOf, checkLedger, ledgerIsClean } from '../../bff/src/ledger/ledger.ts';
import { deliverDueCallbacks } from '../../bff/src/modules/callback/callback.worker.ts';
import { DEMO } from '../../bff/src/modules/demo/demo.seed.ts';
import { fitsWidth, payByBalance, startStack, type Stack } from './stack.ts';

/** Real time plus an offset the test moves forward. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

/** A partner's callback receiver on loopback: answers `status`, keeps every body it got. */
const receiver = { status: 500, received: [] as Array<{ event_id: string; event: string }>, url: '' };
let server: Server;
let stack: Stack;
let orderNo = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (receiver.status === 200) receiver.received.push(JSON.parse(body) as { event_id: string; event: string });
      res.writeHead(receiver.status, { 'content-type': 'text/plain' }).end(receiver.status === 200 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((r) => server?.close(() => r()));
});

async function signIn(width: number) {
  const { page, errors } = await stack.newPage(width);
  await page.goto(`${stack.walletUrl}#/pages/admin/login`);
  await page.locator('input[name="username"]').fill(DEMO.admin.username);
  await page.locator('input[name="password"]').fill(DEMO.admin.password);
  await page.locator('[data-test="login-submit"]').click();
  await page.waitForURL(/#\/pages\/admin\/overview/);
  return { page, errors };
}

describe('operator console: dead callbacks and refunds in the browser', () => {
  it('a callback dead after a day of 500s is replayed from the console and delivered', async () => {
    const { db } = stack.runtime.deps;
    // The partner opens the wallet with its own receiver as the callback URL; the user pays ¥100.00 by balance.
    const link = buildSignedLink(
      stack.walletUrl,
      {
        partner_id: DEMO.partnerId,
        amout: '100.00',
        refer_no: 'RX-E2E-DEAD-1',
        claim_no: DEMO.users.zhangsan.claimNo,
        callback: receiver.url,
      },
      DEMO.linkSecret,
      Math.floor(clock.now() / 1000),
    );
    const user = await stack.newPage(375);
    await user.page.goto(link);
    await user.page.locator('[data-test="policy-card"]', { hasText: 'POL-PICC-001' }).click();
    await user.page.locator('[data-test="confirm"]').click();
    await user.page.waitForURL(/#\/pages\/cashier\/cashier\?order_no=ZF\d{20}/);
    orderNo = new URL(user.page.url().replace('#', '')).searchParams.get('order_no') ?? '';
    await payByBalance(user.page);

    // A day of retries in a few seconds: move the clock past each delay and deliver (the 500s are recorded).
    const events = () => db.selectFrom('callback_events').select(['id', 'event', 'status']).where('order_no', '=', orderNo).execute();
    for (let i = 0; i < 40 && !(await events()).every((e) => e.status === 'dead'); i++) {
      clock.offset += 7 * 3600_000;
      await deliverDueCallbacks(stack.runtime.deps);
    }
    const dead = await events();
    expect(dead.map((e) => [e.event, e.status]).sort()).toEqual([
      ['order_created', 'dead'],
      ['paid', 'dead'],
    ]);
    const paidEvent = dead.find((e) => e.event === 'paid')!;
    expect(receiver.received).toEqual([]);

    receiver.status = 200;
    const { page, errors } = await signIn(1280);
    await page.goto(`${stack.walletUrl}#/pages/admin/callbacks`);
    await page
      .locator('select[aria-label="状态"]')
      .selectOption('dead')
      .catch(() => undefined);
    await page.locator(`[data-test="replay-${paidEvent.id}"]`).click();
    await expect.poll(() => receiver.received.map((r) => r.event_id), { timeout: 15_000 }).toContain(paidEvent.id);
    expect(receiver.received.find((r) => r.event_id === paidEvent.id)?.event).toBe('paid');
    await page.reload();
    await page.locator(`[data-test="event-delivered"]`, { hasText: 'paid' }).first().waitFor({ timeout: 10_000 });
    const row = await db.selectFrom('callback_events').select('status').where('id', '=', paidEvent.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
    expect(errors).toEqual([]);
  });

  it('the finance admin refunds part of the order from its page and sees it succeed (phone width)', async () => {
    const { db } = stack.runtime.deps;
    const merchantBefore = await balanceOf(db, Accounts.merchant(DEMO.partnerId));
    const { page, errors } = await signIn(375);
    await page.goto(`${stack.walletUrl}#/pages/admin/order?order_no=${orderNo}`);
    await page.locator('[data-test="refund-form"]').waitFor();
    await page.locator('[data-test="refund-amount"] input').fill('30.01');
    await page.locator('[data-test="refund-reason"] input').fill('部分药品退货');
    // A double click refunds once: the form's refund number is drawn once.
    await page.locator('[data-test="refund-submit"]').dblclick();
    await page.locator('[data-test="order-refunds"] [data-test="refund-succeeded"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-test="order-refunds"] [data-test="refund-succeeded"]').innerText()).toContain('¥30.01');
    expect(await fitsWidth(page)).toBe(true);

    const refunds = await db.selectFrom('refunds').select(['status', 'amount_fen', 'source']).where('order_no', '=', orderNo).execute();
    expect(refunds.map((r) => [r.status, Number(r.amount_fen), r.source])).toEqual([['succeeded', 3001, 'admin']]);
    expect(await balanceOf(db, Accounts.merchant(DEMO.partnerId))).toBe(merchantBefore - 3001);
    expect(ledgerIsClean(await checkLedger(db))).toBe(true);
    // The refunds page lists it with its provider status.
    await page.goto(`${stack.walletUrl}#/pages/admin/refunds`);
    await page.locator('[data-test^="refund-row-"]', { hasText: '¥30.01' }).waitFor();
    // Its filters reload the list (the shared list composable): no failed refund; back to all, it is there again.
    await page.locator('[data-test="refund-filter-status"]').selectOption('failed');
    await page.getByText('没有退款').waitFor();
    await page.locator('[data-test="refund-filter-status"]').selectOption('succeeded');
    await page.locator('[data-test^="refund-row-"]', { hasText: '¥30.01' }).waitFor();
    expect(errors).toEqual([]);
  });
});
