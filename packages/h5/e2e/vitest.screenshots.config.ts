import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm screenshots` (docs/screenshots/): the e2e setup (H5 built first, one file at a time) with only the shots file.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  test: {
    name: 'screenshots',
    root: repoRoot,
    dir: repoRoot,
    environment: 'node',
    include: ['packages/h5/e2e/docs-screenshots.shots.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    globalSetup: ['packages/h5/e2e/global-setup.ts'],
  },
});
