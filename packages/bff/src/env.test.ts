import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';

describe('configuration', () => {
  it('has working defaults for development (embedded SQLite, demo data, quota tables created)', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.databaseUrl).toBe('sqlite:.data/wallet.db');
    expect(c.seedDemo).toBe(true);
    expect(c.quota).toEqual({ databaseUrl: 'sqlite:.data/wallet.db', insurerTable: 'insurers', recordTable: 'insurer_quota_records', migrate: true });
    expect(c.orderTtlMs).toBe(30 * 60_000);
    expect(c.clearingCutoff).toBe('17:00');
  });

  it('reports every bad setting on its own line', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://x', CLEARING_CUTOFF: '25:00', QUOTA_RECORD_TABLE: 'records; drop table x' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(4);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DATABASE_URL: expected mysql/);
    expect(message).toMatch(/CLEARING_CUTOFF/);
    expect(message).toMatch(/QUOTA_RECORD_TABLE/);
  });

  it('refuses production on SQLite, without a session secret, or with demo data', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL[\s\S]*SESSION_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'mysql://u@h/db', SESSION_SECRET: 'x'.repeat(32), SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
    const prod = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'mysql://u@h/db', SESSION_SECRET: 'x'.repeat(32), QUOTA_DATABASE_URL: 'mysql://r@h/api_core_v2' });
    expect(prod.seedDemo).toBe(false);
    expect(prod.quota.migrate).toBe(false);
    expect(prod.quota.databaseUrl).toBe('mysql://r@h/api_core_v2');
  });
});
