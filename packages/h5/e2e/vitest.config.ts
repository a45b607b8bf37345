import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser end-to-end tests (playwright-core driving Debian's Chromium, path in CHROMIUM_PATH).
// Not part of the unit projects; run with `vitest run --config packages/h5/e2e/vitest.config.ts`
// (scripts/test.ts does this). Paths are relative to the repository root.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  test: {
    name: 'e2e',
    root: repoRoot,
    dir: repoRoot,
    environment: 'node',
    include: ['packages/h5/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    globalSetup: ['packages/h5/e2e/global-setup.ts'],
  },
});
