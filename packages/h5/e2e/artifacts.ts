// What a failing browser journey leaves behind: a screenshot of each of its pages and their console logs, under the
// git-ignored .e2e-artifacts/e2e/ at the repository root (CI uploads the folder).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../.e2e-artifacts/e2e', import.meta.url));

const fileSafe = (name: string): string =>
  name
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);

/**
 * Records the page's console (every message, page errors and failed requests) and, when the running test fails,
 * writes `<test>-<n>.png` and `<test>-<n>.log`. Outside a test (a script) it only records.
 */
export function keepOnFailure(page: Page, index: number): string[] {
  const log: string[] = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => log.push(`${stamp()} [${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`${stamp()} [pageerror] ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) => log.push(`${stamp()} [requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.push(`${stamp()} [http ${r.status()}] ${r.request().method()} ${r.url()}`);
  });
  try {
    onTestFailed(async ({ task }) => {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const base = `${ARTIFACTS_DIR}/${fileSafe(`${task.suite?.name ?? ''} ${task.name}`)}-${index}`;
      const url = page.isClosed() ? '(closed)' : page.url();
      writeFileSync(`${base}.log`, [`url: ${url}`, ...log].join('\n') + '\n');
      if (!page.isClosed()) await page.screenshot({ path: `${base}.png`, timeout: 5_000 }).catch(() => undefined);
    });
  } catch {
    // Not inside a running test: nothing to keep.
  }
  return log;
}
