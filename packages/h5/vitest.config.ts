// Vitest config of the H5: the Vite config (Vue + Vant resolver) plus happy-dom for component tests.
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      name: 'h5',
      environment: 'happy-dom',
      include: ['src/**/*.test.ts'],
      setupFiles: ['src/test-utils/setup.ts'],
      server: { deps: { inline: ['vant'] } },
      restoreMocks: true,
      // The first page test of a file also transforms every page and the inlined Vant modules it uses.
      testTimeout: 20_000,
    },
  }),
);
