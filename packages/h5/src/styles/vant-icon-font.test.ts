// The build's Vant icon font (vant-icon-font.ts) and precompressed files (precompress.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { precompress } from '../../precompress.ts';
import { LOCAL_FONT_FACE, rewriteVantIconCss } from '../../vant-icon-font.ts';

const require = createRequire(import.meta.url);
const vantIconCss = () => readFileSync(path.join(path.dirname(require.resolve('vant')), 'icon/index.css'), 'utf8');

it('the local vant-icon.woff2 is byte for byte the font the installed Vant inlines', () => {
  const data = /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)/.exec(vantIconCss())?.[1];
  expect(data, 'Vant no longer inlines its icon font as woff2: revisit vant-icon-font.ts').toBeTruthy();
  const local = readFileSync(path.join(import.meta.dirname, 'fonts/vant-icon.woff2'));
  expect(local.equals(Buffer.from(data!, 'base64'))).toBe(true);
});

it("Vant's icon CSS keeps its icon rules but loads the font from our origin, with font-display: swap", () => {
  const css = vantIconCss();
  const out = rewriteVantIconCss(css);
  expect(out).toContain(LOCAL_FONT_FACE);
  expect(out).toContain('font-display:swap');
  expect(out).not.toContain('data:font');
  expect(out).not.toMatch(/alicdn|\/\/at\./);
  expect(out).toContain('.van-icon-arrow-left:before');
  expect(out.length).toBeLessThan(css.length - 20_000);
  expect(() => rewriteVantIconCss('.van-icon{}')).toThrow(/expected one vant-icon @font-face/);
});

it('precompress writes .br and .gz of each text file over the threshold, nothing for small or binary files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zf-precompress-'));
  const big = `console.log(${JSON.stringify('保单'.repeat(1000))});`;
  writeFileSync(path.join(dir, 'a.js'), big);
  writeFileSync(path.join(dir, 'small.css'), 'a{}');
  writeFileSync(path.join(dir, 'f.woff2'), Buffer.alloc(5000));
  const plugin = precompress(1024) as unknown as {
    configResolved(c: { root: string; build: { outDir: string } }): void;
    writeBundle(o: unknown, bundle: Record<string, unknown>): void;
  };
  plugin.configResolved({ root: dir, build: { outDir: '.' } });
  plugin.writeBundle({}, { 'a.js': {}, 'small.css': {}, 'f.woff2': {} });
  expect(gunzipSync(readFileSync(path.join(dir, 'a.js.gz'))).toString()).toBe(big);
  expect(brotliDecompressSync(readFileSync(path.join(dir, 'a.js.br'))).toString()).toBe(big);
  expect(() => readFileSync(path.join(dir, 'small.css.gz'))).toThrow();
  expect(() => readFileSync(path.join(dir, 'f.woff2.br'))).toThrow();
});
