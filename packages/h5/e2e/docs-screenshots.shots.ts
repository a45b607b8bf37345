// `pnpm screenshots`: docs/screenshots/*.png, each page of the wallet at 375 × 667 (and the console's overview), taken
// on the walk the accessibility pass checks (walk.ts) against the product as the README starts it. Viewport shots at
// 1× keep the PNGs small. Run by vitest (e2e/vitest.screenshots.config.ts) so the walk's waits and polls work as in the
// tests, and the H5 is built first.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { settle, startWalletStack, walkConsole, walkWallet, type Visit } from './walk.ts';

const DOCS = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url));

/** The walk's pages that the README shows, by the walk's label: file name and the gallery's captions. */
export const SHOTS: Record<string, { file: string; zh: string; en: string }> = {
  'entry (policy list)': { file: '01-policy-list', zh: '选择保单', en: 'Policy list (entry)' },
  'policy detail': { file: '02-policy-detail', zh: '确认支付', en: 'Policy detail and quote' },
  cashier: { file: '03-cashier', zh: '收银台', en: 'Cashier' },
  'cashier: balance PIN sheet and keyboard': { file: '04-pin', zh: '输入支付密码', en: 'Payment PIN' },
  'cashier: card picker': { file: '05-card-picker', zh: '银行卡支付', en: 'Bound cards' },
  'cashier: add-card sheet': { file: '06-card-add', zh: '添加银行卡', en: 'Add a card' },
  'cashier: 关爱通 types': { file: '07-guanaitong', zh: '关爱通支付', en: 'Guanaitong' },
  'cashier: 关爱通 asset picker': { file: '08-guanaitong-assets', zh: '选择关爱通额度', en: 'Guanaitong quota assets' },
  'result: paid': { file: '09-result-paid', zh: '支付成功', en: 'Result: paid' },
  'result: processing': { file: '10-result-processing', zh: '处理中', en: 'Result: processing' },
  'result: failed': { file: '11-result-failed', zh: '支付失败', en: 'Result: failed' },
  records: { file: '12-records', zh: '支付记录', en: 'Payment records' },
  'record detail': { file: '13-record-detail', zh: '订单详情', en: 'Record detail' },
  'cashier: closed (deadline passed)': { file: '14-cashier-expired', zh: '订单已过期', en: 'Cashier: order expired' },
  'not found': { file: '15-not-found', zh: '页面不存在', en: 'Not found' },
  'entry: refused link (error)': { file: '16-link-refused', zh: '链接无效', en: 'Refused link' },
  'admin: overview': { file: '17-admin-overview', zh: '运营后台总览', en: 'Operator console overview' },
};

let wallet: Awaited<ReturnType<typeof startWalletStack>>;
beforeAll(async () => {
  wallet = await startWalletStack();
});
afterAll(async () => {
  await wallet?.stop();
});

function photographer(page: Page, taken: string[]): Visit {
  return async (label) => {
    const shot = SHOTS[label];
    if (!shot) return;
    await settle(page);
    await page.screenshot({ path: `${DOCS}/${shot.file}.png`, animations: 'disabled', caret: 'hide' });
    taken.push(label);
  };
}

it('photographs each page at 375 px into docs/screenshots/', async () => {
  mkdirSync(DOCS, { recursive: true });
  for (const file of readdirSync(DOCS)) if (file.endsWith('.png')) rmSync(`${DOCS}/${file}`);
  const taken: string[] = [];
  const phone = await wallet.stack.newPage(375, { deviceScaleFactor: 1 });
  await walkWallet(wallet.stack, wallet.gatUrl, phone.page, photographer(phone.page, taken));
  const desk = await wallet.stack.newPage(1280, { deviceScaleFactor: 1 });
  await desk.page.setViewportSize({ width: 1280, height: 800 });
  await walkConsole(wallet.stack, desk.page, photographer(desk.page, taken));
  expect(taken.sort()).toEqual(Object.keys(SHOTS).sort());
});
