import { defineConfig } from 'vitest/config';

// Unit/integration tests of every package. Each project has its own vitest.config.ts.
// The browser e2e suite is separate: packages/h5/e2e/vitest.config.ts (run by scripts/test.ts).
export default defineConfig({
  test: {
    projects: ['packages/shared', 'packages/bff', 'packages/h5'],
  },
});
