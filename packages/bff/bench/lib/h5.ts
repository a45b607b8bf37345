// The H5 production build: first-load JS and CSS (gzip) of the entry route, from Vite's manifest; Lighthouse
// (mobile preset, Debian's Chromium through chrome-launcher's chromePath) on pages the BFF serves from that build.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { median } from './util.ts';

const execFileAsync = promisify(execFile);

export interface BuildSizes {
  js: { files: string[]; rawKb: number; gzipKb: number };
  css: { files: string[]; rawKb: number; gzipKb: number };
  buildSeconds: number;
}

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

/** Builds the H5 into `outDir` and measures what the entry route (/pages/valid-policy/valid-policy) loads first. */
export async function buildH5(repoRoot: string, outDir: string): Promise<BuildSizes> {
  const h5 = path.join(repoRoot, 'packages/h5');
  const t0 = Date.now();
  await execFileAsync(
    path.join(h5, 'node_modules/.bin/vite'),
    ['build', '--outDir', outDir, '--emptyOutDir', '--manifest', '--logLevel', 'warn'],
    { cwd: h5, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 },
  );
  const buildSeconds = (Date.now() - t0) / 1000;
  const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const routeKey = Object.keys(manifest).find((k) => k.includes('pages/valid-policy/valid-policy.vue'));
  const js = new Set<string>();
  const css = new Set<string>();
  const walk = (key: string) => {
    const c = manifest[key];
    if (!c || js.has(c.file)) return;
    js.add(c.file);
    for (const f of c.css ?? []) css.add(f);
    for (const i of c.imports ?? []) walk(i);
  };
  walk(entryKey);
  if (routeKey) walk(routeKey);
  const size = (files: Set<string>) => {
    let raw = 0;
    let gz = 0;
    for (const f of files) {
      const buf = readFileSync(path.join(outDir, f));
      raw += buf.length;
      gz += gzipSync(buf, { level: 9 }).length;
    }
    return { files: [...files], rawKb: raw / 1024, gzipKb: gz / 1024 };
  };
  return { js: size(js), css: size(css), buildSeconds };
}

export interface LighthouseScores {
  page: string;
  performance: number;
  accessibility: number;
  lcpMs: number;
  tbtMs: number;
  fcpMs: number;
  failing: string[];
  /** Lighthouse's own failure (e.g. NO_NAVSTART) after one retry: the run is left out of the medians. */
  error?: string;
  /** From `medianScores`: each kept run's performance score, and how many runs failed. */
  runs?: number[];
  errors?: number;
}

/** One row per page: the median of each figure over the runs Lighthouse did not fail (a failed run is not a 0). */
export function medianScores(all: LighthouseScores[]): LighthouseScores[] {
  return [...new Set(all.map((l) => l.page))].map((page) => {
    const runs = all.filter((l) => l.page === page && !l.error);
    const perf = median(runs.map((l) => l.performance));
    const closest = runs.reduce<LighthouseScores | undefined>(
      (b, l) => (!b || Math.abs(l.performance - perf) < Math.abs(b.performance - perf) ? l : b),
      undefined,
    );
    return {
      page,
      performance: Math.round(perf),
      accessibility: Math.round(median(runs.map((l) => l.accessibility))),
      lcpMs: median(runs.map((l) => l.lcpMs)),
      tbtMs: median(runs.map((l) => l.tbtMs)),
      fcpMs: median(runs.map((l) => l.fcpMs)),
      failing: closest?.failing ?? [],
      runs: runs.map((l) => l.performance),
      errors: all.filter((l) => l.page === page && l.error).length,
    };
  });
}

export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return null;
}

/** Lighthouse, mobile preset (its default form factor and throttling), performance + accessibility. */
export async function lighthouse(
  pages: Array<{ page: string; url: string }>,
  chromePath: string,
  saveDir?: string,
): Promise<LighthouseScores[]> {
  const { launch } = await import('chrome-launcher');
  const { default: run } = await import('lighthouse');
  const chrome = await launch({
    chromePath,
    chromeFlags: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const out: LighthouseScores[] = [];
  try {
    for (const p of pages) {
      const once = async () => {
        const result = await run(p.url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
        });
        if (!result) throw new Error(`lighthouse gave no result for ${p.page}`);
        return result.lhr;
      };
      let lhr = await once();
      if (lhr.runtimeError) lhr = await once(); // Lighthouse's own hiccup (NO_NAVSTART under load): once more
      if (saveDir) {
        mkdirSync(saveDir, { recursive: true });
        writeFileSync(path.join(saveDir, `${p.page.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}.json`), JSON.stringify(lhr));
      }
      const num = (id: string) => Number(lhr.audits[id]?.numericValue ?? NaN);
      const failing = Object.values(lhr.audits)
        .filter(
          (a) =>
            a.score !== null &&
            a.score < 0.9 &&
            (a.scoreDisplayMode === 'binary' || a.scoreDisplayMode === 'numeric' || a.scoreDisplayMode === 'metricSavings'),
        )
        .map((a) => a.id)
        .slice(0, 8);
      out.push({
        page: p.page,
        performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
        accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
        lcpMs: num('largest-contentful-paint'),
        tbtMs: num('total-blocking-time'),
        fcpMs: num('first-contentful-paint'),
        failing,
        ...(lhr.runtimeError ? { error: lhr.runtimeError.code } : {}),
      });
    }
  } finally {
    chrome.kill();
  }
  return out;
}
