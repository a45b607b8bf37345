import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';
import { TEST_GAT } from '../testing/guanaitong.ts';
import { PAYZERO_SIMULATOR_DEFAULTS } from '../dev/payzero/simulator.ts';

/** A production environment with every credential and secret set to its own (non-default) value. */
const PRODUCTION: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://u@h/db',
  SESSION_SECRET: 'x'.repeat(32),
  PAYZERO_USERNAME: 'merchant-4711',
  PAYZERO_PASSWORD: 'pz-password-from-the-vault',
  PAYZERO_SIGN_TOKEN: 'pz-sign-token-from-the-vault',
  GAT_APPID: '30009999',
  GAT_APPSECRET: 'gat-secret-from-the-vault-0000000',
  GAT_SELLER_APPID: '20119999',
  PIN_KEYS: `k1:${'p'.repeat(32)}`,
};

/** The development defaults of the secrets production refuses (env.ts). */
const DEV_DEFAULTS: Record<string, string> = {
  SESSION_SECRET: 'dev-session-secret-change-me',
  PAYZERO_USERNAME: 'demo-merchant',
  PAYZERO_PASSWORD: 'demo-password',
  PAYZERO_SIGN_TOKEN: 'demo-sign-token',
  GAT_APPID: '30000003',
  GAT_APPSECRET: 'f4cc82386a1cdddcc98e4f53b1115a62',
  GAT_SELLER_APPID: '20110783',
  PIN_KEYS: 'dev:dev-pin-key-change-me-not-for-production',
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    loadConfig(source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split('\n').filter((l) => l.startsWith('  '));
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults for development (embedded SQLite, demo data, quota tables created)', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.databaseUrl).toBe('sqlite:.data/wallet.db');
    expect(c.seedDemo).toBe(true);
    expect(c.quota).toEqual({
      databaseUrl: 'sqlite:.data/wallet.db',
      insurerTable: 'insurers',
      recordTable: 'insurer_quota_records',
      migrate: true,
      settleLagMs: 600_000,
      foreignRefreshMs: 1000,
    });
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
    expect(() => loadConfig({ ...PRODUCTION, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
    const prod = loadConfig({ ...PRODUCTION, QUOTA_DATABASE_URL: 'mysql://r@h/api_core_v2' });
    expect(prod.seedDemo).toBe(false);
    expect(prod.quota.migrate).toBe(false);
    expect(prod.quota.databaseUrl).toBe('mysql://r@h/api_core_v2');
  });

  it('refuses production without each provider credential, secret and PIN key, one line each', () => {
    expect(problemsOf(PRODUCTION)).toEqual([]);
    for (const name of Object.keys(DEV_DEFAULTS)) {
      expect(problemsOf({ ...PRODUCTION, [name]: undefined })).toEqual([`  ${name}: must be set in production`]);
      expect(problemsOf({ ...PRODUCTION, [name]: '' })).toHaveLength(1);
    }
    const none = problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'mysql://u@h/db' });
    expect(none).toEqual(Object.keys(DEV_DEFAULTS).map((name) => `  ${name}: must be set in production`));
  });

  it('refuses production with a development default set explicitly, one line each', () => {
    for (const [name, value] of Object.entries(DEV_DEFAULTS)) {
      const [line, ...more] = problemsOf({ ...PRODUCTION, [name]: value });
      expect(more).toEqual([]);
      expect(line).toMatch(new RegExp(`^  ${name}: .*development`));
    }
    const all = problemsOf({ ...PRODUCTION, ...DEV_DEFAULTS });
    expect(all).toHaveLength(Object.keys(DEV_DEFAULTS).length);
    // The development PIN key under another id, or beside a real one, is still the public key.
    expect(problemsOf({ ...PRODUCTION, PIN_KEYS: 'prod:dev-pin-key-change-me-not-for-production' })).toEqual([
      '  PIN_KEYS: holds the development key; production needs its own',
    ]);
    expect(problemsOf({ ...PRODUCTION, PIN_KEYS: `k2:${'q'.repeat(32)},dev:dev-pin-key-change-me-not-for-production` })).toHaveLength(1);
  });

  it('refuses production with the credentials `pnpm dev` gives the provider simulators', () => {
    const simulators = {
      PAYZERO_USERNAME: PAYZERO_SIMULATOR_DEFAULTS.username,
      PAYZERO_PASSWORD: PAYZERO_SIMULATOR_DEFAULTS.password,
      PAYZERO_SIGN_TOKEN: PAYZERO_SIMULATOR_DEFAULTS.signToken,
      GAT_APPID: TEST_GAT.appid,
      GAT_APPSECRET: TEST_GAT.appsecret,
      GAT_SELLER_APPID: TEST_GAT.sellerAppid,
    };
    for (const [name, value] of Object.entries(simulators)) {
      expect(problemsOf({ ...PRODUCTION, [name]: value })).toEqual([`  ${name}: is the development default; production needs its own`]);
    }
  });

  it('reads the PIN keys for rotation, the current key id and the lock time', () => {
    const dev = loadConfig({});
    expect(dev.pin.lockMs).toBe(30 * 60_000);
    expect(dev.pin.keyId).toBe('dev');
    const rotated = loadConfig({ PIN_KEYS: `k1:${'a'.repeat(32)}, k2:${'b'.repeat(40)}`, PIN_KEY_ID: 'k2', PIN_LOCK_MINUTES: '15' });
    expect(rotated.pin).toEqual({
      keyId: 'k2',
      keys: new Map([
        ['k1', 'a'.repeat(32)],
        ['k2', 'b'.repeat(40)],
      ]),
      lockMs: 15 * 60_000,
    });
    expect(loadConfig({ PIN_KEYS: `k1:${'a'.repeat(32)},k2:${'b'.repeat(32)}` }).pin.keyId).toBe('k1');
    expect(problemsOf({ PIN_KEYS: `k1:${'a'.repeat(32)}`, PIN_KEY_ID: 'k9' })).toEqual(['  PIN_KEY_ID: not one of the ids in PIN_KEYS']);
    for (const bad of ['k1:short', `k1:${'a'.repeat(32)},k1:${'b'.repeat(32)}`, `bad id:${'a'.repeat(32)}`, '']) {
      const lines = problemsOf({ PIN_KEYS: bad });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ {2}PIN_KEYS: expected id:secret/);
      expect(lines[0]).not.toContain('aaaa');
    }
    expect(problemsOf({ PIN_LOCK_MINUTES: '0' })[0]).toMatch(/PIN_LOCK_MINUTES/);
  });
});
