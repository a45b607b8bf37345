// The accessibility pass of issue 13: axe-core (injected from node_modules) on every wallet page as a phone user
// meets it at 375 and 320 px — entry, policy detail, the cashier with each pay sheet open, the PIN keyboard, the result when
// paid / failed / processing, the records and a record's detail, not-found and a refused link — and on the operator
// console's sign-in, overview and 对账 (a run's result). No serious or critical violation anywhere; the list names page, rule and nodes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { VIEWPORTS, type Stack } from './stack.ts';
import { settle, startWalletStack, walkConsole, walkWallet } from './walk.ts';

/** Runs axe on each page of the walk once it has settled, and keeps what it found. */
function auditor(page: Page, found: string[]) {
  return async (label: string): Promise<void> => {
    await settle(page);
    const violations = await seriousViolations(page, label);
    if (process.env.E2E_A11Y_LOG) console.log(violations.join('\n'));
    found.push(...violations);
  };
}

// A fresh product per width: the walk is a new user's first visit (no card bound yet, balance preselected).
describe.each(VIEWPORTS)('accessibility (axe-core) at $width × $height', ({ width }) => {
  let wallet: Awaited<ReturnType<typeof startWalletStack>>;
  let stack: Stack;
  beforeAll(async () => {
    wallet = await startWalletStack();
    stack = wallet.stack;
  });
  afterAll(async () => {
    await wallet?.stop();
  });

  it('finds no serious or critical violation on the wallet pages', async () => {
    const { page } = await stack.newPage(width);
    const found: string[] = [];
    await walkWallet(stack, wallet.gatUrl, page, auditor(page, found));
    expect(found).toEqual([]);
  });

  // The console is a desktop page: checked once (declared with the 375 px product only, so nothing shows as skipped).
  if (width === 375)
    it('finds no serious or critical violation on the console sign-in, overview and reconciliation', async () => {
      const { page } = await stack.newPage(1280);
      const found: string[] = [];
      await walkConsole(stack, page, auditor(page, found));
      expect(found).toEqual([]);
    });
});
