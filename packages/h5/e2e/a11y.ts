// axe-core inside the Chromium tests: injected from node_modules (no network), run on the page as the user sees it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, RunOptions } from 'axe-core';

// Evaluated through the DevTools protocol, so the wallet's CSP (script-src 'self') stays as production has it.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Rules switched off, each with why. Keep this empty unless the violation is in markup the wallet cannot change.
 * (Nothing is disabled today.)
 */
export const DISABLED_RULES: Record<string, string> = {};

/** The serious and critical violations axe finds on the page now, one line each (`label: rule (impact) nodes`). */
export async function seriousViolations(page: Page, label: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    rules: Object.fromEntries(Object.keys(DISABLED_RULES).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const results = await page.evaluate(
    (opts) => (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, opts),
    options,
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map(describeNode).join('; ')}`);
}

/** A node's selector and, for contrast, the colours measured (what a fix needs). */
function describeNode(node: AxeResults['violations'][number]['nodes'][number]): string {
  const data = node.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined;
  const colours = data?.fgColor ? ` [${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1]` : '';
  return `${node.target.join(' ')}${colours}`;
}
