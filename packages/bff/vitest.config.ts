import { defineConfig } from 'vitest/config';

// BFF tests: Node, one forked process per file (better-sqlite3 / mysql2 native handles stay isolated).
// Database suites run against SQLite always and against MariaDB when TEST_MYSQL_URL is set
// (scripts/test.ts starts a throwaway server); label them `[sqlite]` / `[mariadb]` in describe names.
export default defineConfig({
  test: {
    name: 'bff',
    environment: 'node',
    include: ['src/**/*.test.ts', 'dev/**/*.test.ts', 'testing/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
