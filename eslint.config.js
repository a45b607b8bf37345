// Flat ESLint config for the whole monorepo (`pnpm lint` = `eslint .`).
// Not type-aware on purpose: it has to stay fast. Type errors are caught by `pnpm typecheck`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const H5_BROWSER_FILES = ['packages/h5/src/**'];

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/coverage/**',
    '.data/**',
    '**/.data/**',
    '**/.e2e-artifacts/**',
    '**/bench/results/**',
    '**/*.d.ts', // generated declarations (auto-imports, components.d.ts, vite-env ...)
  ]),

  // Plain JS everywhere.
  js.configs.recommended,

  // TypeScript (and the <script lang="ts"> blocks of .vue files).
  {
    files: [...TS_FILES, '**/*.vue'],
    extends: [tseslint.configs.recommended],
  },

  // Vue SFCs: vue-eslint-parser for the template, typescript-eslint's parser for <script>.
  {
    files: ['**/*.vue'],
    extends: [pluginVue.configs['flat/recommended']],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        sourceType: 'module',
        ecmaVersion: 'latest',
      },
    },
    rules: {
      // TypeScript does this better; the core rule does not understand type-only names in SFCs.
      'no-undef': 'off',
      // Template layout is Prettier's (`pnpm format`, checked by `pnpm lint`); these rules would fight its output.
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/html-self-closing': 'off',
    },
  },

  // Project-wide rules.
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts,vue}'],
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: [...TS_FILES, '**/*.vue'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      // `_`-prefixed names are deliberately unused; `const { sign: _sign, ...rest } = x` drops a key.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Kysely migrations take `Kysely<any>` by design (they must not depend on the app's current schema types).
  {
    files: ['packages/bff/src/db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // Route pages live in their own folders (pages/orders/orders.vue) and are only used by the router,
  // never as tags in a template, so single-word names cannot clash with HTML elements.
  {
    files: ['packages/h5/src/pages/**/*.vue'],
    rules: { 'vue/multi-word-component-names': 'off' },
  },
  // Layout of templates is a formatter's job, not a linter's: these two only produced noise.
  {
    files: ['**/*.vue'],
    rules: { 'vue/max-attributes-per-line': 'off', 'vue/singleline-html-element-content-newline': 'off' },
  },

  // Globals: browser for the H5 app code, Node everywhere else (BFF, shared, scripts, configs, e2e).
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts,vue}'],
    ignores: H5_BROWSER_FILES,
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: H5_BROWSER_FILES,
    languageOptions: { globals: { ...globals.browser } },
  },
);
