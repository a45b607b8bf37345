// The built H5 as the BFF serves it: long-lived caching only for hashed assets, precompressed bodies by Accept-Encoding.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import type { AppEnv } from './middleware.ts';
import { H5_ASSET_CACHE, serveH5 } from './static.ts';

function site() {
  const dir = mkdtempSync(join(tmpdir(), 'zf-h5-static-'));
  mkdirSync(join(dir, 'assets'));
  const js = `export const x = ${JSON.stringify('钱'.repeat(2000))};`;
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets/index-AbCd1234.js'), js);
  writeFileSync(join(dir, 'assets/index-AbCd1234.js.gz'), gzipSync(js));
  writeFileSync(join(dir, 'assets/index-AbCd1234.js.br'), brotliCompressSync(js));
  const app = new Hono<AppEnv>();
  serveH5(app, dir);
  return { app, js };
}

it('hashed assets are cached for a year as immutable; index.html is revalidated every time', async () => {
  const { app } = site();
  const page = await app.request('/wallet/index.html');
  expect(page.status).toBe(200);
  expect(page.headers.get('cache-control')).toBe('no-cache');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const asset = await app.request('/wallet/assets/index-AbCd1234.js');
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toBe(H5_ASSET_CACHE);
  expect(asset.headers.get('cache-control')).toContain('immutable');
  // A missing asset is a plain 404, never cached for a year.
  const missing = await app.request('/wallet/assets/gone-00000000.js');
  expect(missing.status).toBe(404);
  expect(missing.headers.get('cache-control') ?? '').not.toContain('immutable');
});

it('sends the precompressed body the browser accepts, the plain file otherwise', async () => {
  const { app, js } = site();
  const br = await app.request('/wallet/assets/index-AbCd1234.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  expect(br.headers.get('content-encoding')).toBe('br');
  expect(br.headers.get('vary')).toContain('Accept-Encoding');
  expect(br.headers.get('content-type')).toContain('javascript');
  expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(js);
  const gz = await app.request('/wallet/assets/index-AbCd1234.js', { headers: { 'accept-encoding': 'gzip' } });
  expect(gz.headers.get('content-encoding')).toBe('gzip');
  expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(js);
  const plain = await app.request('/wallet/assets/index-AbCd1234.js');
  expect(plain.headers.get('content-encoding')).toBeNull();
  expect(await plain.text()).toBe(js);
});
