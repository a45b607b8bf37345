// The production build: one compiled bundle with no dev-only code in it, which `node` runs on MySQL with no tsx,
// refusing to start with development defaults and serving the API and the H5.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_TARGETS } from './harness.ts';

const BFF = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const outdir = path.join('.build-test', `${process.pid}-${Date.now().toString(36)}`);
const bundle = path.join(BFF, outdir, 'server.js');

beforeAll(async () => {
  await run(process.execPath, ['--import', 'tsx', 'build.ts', outdir], { cwd: BFF });
}, 60_000);
afterAll(() => rmSync(path.join(BFF, outdir), { recursive: true, force: true }));

describe('production build', () => {
  it('bundles src/server.ts and the shared package, and nothing from dev/ or testing/', () => {
    const meta = JSON.parse(readFileSync(path.join(BFF, outdir, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('src/server.ts');
    expect(inputs.some((f) => f.includes('shared/src/partner.ts'))).toBe(true);
    expect(inputs.filter((f) => /(^|\/)(dev|testing)\//.test(f))).toEqual([]);
    const code = readFileSync(bundle, 'utf8');
    for (const devOnly of ['createPayzeroSimulator', 'createGuanaitongSimulator', 'createDemoPartner', 'startSimulators', 'vitest']) {
      expect(code).not.toContain(devOnly);
    }
  });
});

const mariadb = DATABASE_TARGETS.find((t) => t.name === 'mariadb')!;

/** Settings a real deployment sets: every secret its own, none of the development defaults. */
function productionEnv(databaseUrl: string, h5Dir: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    QUOTA_MIGRATE: 'true',
    SESSION_SECRET: 'prod-session-secret-0123456789abcdef',
    PIN_KEYS: 'k1:cHJvZC1waW4ta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIz',
    PIN_KEY_ID: 'k1',
    PUBLIC_BASE_URL: 'https://wallet.example.com',
    WALLET_URL: 'https://wallet.example.com/wallet/index.html',
    PAYZERO_BASE_URL: 'https://quickpay.example.com',
    PAYZERO_USERNAME: 'prod-merchant',
    PAYZERO_PASSWORD: 'prod-password-xyz',
    PAYZERO_SIGN_TOKEN: 'prod-sign-token-xyz',
    GAT_BASE_URL: 'https://gat.example.com',
    GAT_APPID: '39999999',
    GAT_APPSECRET: 'prod-gat-secret-0123456789abcdef',
    GAT_SELLER_APPID: '29999999',
    SERVE_H5_DIR: h5Dir,
    HOST: '127.0.0.1',
    PORT: String(port),
    JOBS: 'false',
    LOG_LEVEL: 'warn',
  };
}

function start(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle], { cwd: BFF, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitUp(url: string, exited: Promise<number | null>): Promise<void> {
  let down = false;
  void exited.then(() => (down = true));
  for (let i = 0; i < 200 && !down; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

describe.skipIf(!process.env.TEST_MYSQL_URL)('[mariadb] production server from the bundle', () => {
  it('runs with node alone on MySQL, serves the API and the H5, and answers errors with codes', async () => {
    const db = (await mariadb.create())!;
    const h5Dir = mkdtempSync(path.join(tmpdir(), 'zf-h5-'));
    mkdirSync(path.join(h5Dir, 'assets'));
    writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><title>商保直付通</title>');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = start(productionEnv(db.url, h5Dir, port));
    try {
      await waitUp(`http://127.0.0.1:${port}/healthz`, server.exited);
      const page = await fetch(`http://127.0.0.1:${port}/wallet/index.html`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('商保直付通');
      const refused = await fetch(`http://127.0.0.1:${port}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"params":{}}',
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'ZF0010' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(h5Dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it('refuses to start with a development default secret', async () => {
    const db = (await mariadb.create())!;
    const env = productionEnv(db.url, tmpdir(), 0);
    delete env.SESSION_SECRET;
    const server = start(env);
    const code = await server.exited;
    await db.drop();
    expect(code).toBe(1);
    expect(server.output()).toContain('SESSION_SECRET');
  });
});
