// Vite config of the H5 wallet: served under /wallet/, Vant on demand, /api proxied to the BFF in dev.
import { fileURLToPath, URL } from 'node:url';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';
import { preloadRoute } from './preload-route.ts';
import { vantIconFont } from './vant-icon-font.ts';

// The only place the H5 reads the environment: where the dev server forwards /api, and whether we run under Vitest.
const bffUrl = process.env.BFF_URL || 'http://127.0.0.1:8787';
const underVitest = Boolean(process.env.VITEST);

// The Content-Security-Policy the BFF sends with the built H5 (packages/bff/src/http/security.ts H5_CSP); the dev
// server adds `ws:` for Vite's hot reload.
const csp = (dev: boolean) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');

export default defineConfig({
  // Fixed to this folder, so the config works the same from the repo root (Vitest, root scripts).
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/wallet/',
  plugins: [
    vantIconFont(),
    vue(),
    Components({
      // Only Vant is auto-imported; our own components are imported explicitly.
      dirs: [],
      resolvers: [VantResolver()],
      // Typed `<van-*>` tags for vue-tsc; not rewritten by test runs, which see only the tags their pages use.
      dts: underVitest ? false : 'src/components.d.ts',
    }),
    preloadRoute(/\/pages\/valid-policy\/valid-policy\.vue$/),
    precompress(),
  ],
  // No component here or in Vant uses the Options API (data/methods/mixins): Vue's build leaves that code out, and its
  // per-component option handling with it (a measurable share of the first mount on a throttled phone). The component
  // tests keep Vue's default, which @vue/test-utils' mounting wrapper expects; the e2e tests run the built H5.
  define: underVitest ? {} : { __VUE_OPTIONS_API__: 'false' },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    strictPort: true,
    headers: { 'Content-Security-Policy': csp(true) },
    proxy: { '/api': { target: bffUrl, changeOrigin: true } },
  },
  preview: {
    port: 4173,
    strictPort: true,
    headers: { 'Content-Security-Policy': csp(false) },
    proxy: { '/api': { target: bffUrl, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    rolldownOptions: {
      output: {
        // Few files on the first load: a phone's browser fetches at most six at a time from one HTTP/1.1 origin, so the
        // default split (twenty-odd small chunks and stylesheets) cost the entry a few round trips. Everything the entry
        // page needs statically is one chunk (and one stylesheet); the cashier's own code another. The other pages and
        // the console keep the automatic split (they import from these, never the other way round).
        codeSplitting: {
          groups: [
            { name: 'wallet', test: /\/src\/(main\.ts|App\.vue|pages\/valid-policy\/valid-policy\.vue)$/, priority: 20 },
            { name: 'cashier', test: /\/src\/pages\/cashier\/cashier\.vue$/, priority: 10 },
          ],
        },
      },
    },
  },
});
