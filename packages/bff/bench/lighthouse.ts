// `pnpm --filter @zf/bff bench:lighthouse`: only the H5 part of `pnpm bench` (issue 11 item 5), for working on the
// scores: builds the H5, seeds a fresh SQLite database, serves the build from the BFF, and runs Lighthouse on the entry
// page and on the cashier (a link resuming an open order) exactly as bench/run.ts does, LH_RUNS times each
// (default 3; Lighthouse varies). LH_SAVE=dir keeps each run's full JSON report there (network tree, trace metrics).
// LH_BASELINE_DIR=<another H5 build> serves that build too, from a second BFF on the same database, and alternates
// the two run by run (A/B under the same machine load: on a shared 2-core machine TBT follows the load).
import path from 'node:path';
import { buildSignedLink } from '@zf/shared/partner';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { SESSION_SECRET, seedDatabase, startNode } from './lib/bff.ts';
import { log, REPO, stopServer, tmp, track } from './lib/context.ts';
import { buildH5, findChromium, lighthouse, medianScores, type LighthouseScores } from './lib/h5.ts';
import { fmt } from './lib/util.ts';

const RUNS = Math.max(1, Math.min(10, Number(process.env.LH_RUNS ?? 3)));
const chromium = findChromium();
if (!chromium) throw new Error('no Chromium (apt-get install chromium fonts-noto-cjk)');
const dist = path.join(tmp, 'h5-dist');
const h5 = await buildH5(REPO, dist);
log(`H5: entry JS ${fmt(h5.js.gzipKb, 1)} KB gzip (${h5.js.files.length} files), CSS ${fmt(h5.css.gzipKb, 1)} KB gzip`);
const url = `sqlite:${path.join(tmp, 'lh.db')}`;
const { users } = await seedDatabase(url, 2);
const serve = (name: string, dir: string) =>
  track(
    startNode(
      name,
      'src/server.ts',
      { NODE_ENV: 'development', DATABASE_URL: url, SESSION_SECRET, LOG_LEVEL: 'warn', JOBS: 'false', SERVE_H5_DIR: dir },
      tmp,
    ),
  );
const builds = [{ tag: '', web: await serve('bff-h5', dist) }];
if (process.env.LH_BASELINE_DIR)
  builds.push({ tag: 'baseline ', web: await serve('bff-h5-baseline', path.resolve(process.env.LH_BASELINE_DIR)) });
const callback = 'http://127.0.0.1:9/lighthouse-callback';
const link = (web: { url: string }, referNo: string) =>
  buildSignedLink(
    `${web.url}/wallet/index.html`,
    { partner_id: DEMO.partnerId, amout: '1.00', refer_no: referNo, claim_no: users[0]!.claimNo, callback },
    DEMO.linkSecret,
  );
const all: LighthouseScores[] = [];
try {
  for (let i = 0; i < RUNS * builds.length; i++) {
    const { tag, web } = builds[i % builds.length]!;
    const cashier = link(web, `LH-C-${Date.now()}-${i}`);
    const params = Object.fromEntries(new URLSearchParams(cashier.split('?')[1]));
    const s = (await (
      await fetch(`${web.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params }),
      })
    ).json()) as { token: string };
    const order = await fetch(`${web.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ policy_no: users[0]!.policyNo }),
    });
    if (!order.ok) throw new Error(`order for the cashier page: ${order.status} ${await order.text()}`);
    const save = process.env.LH_SAVE ? path.resolve(process.env.LH_SAVE, `${tag.trim() || 'this'}-run${i + 1}`) : undefined;
    const r = await lighthouse(
      [
        { page: `${tag}entry (valid-policy)`, url: link(web, `LH-${Date.now()}-${i}`) },
        { page: `${tag}cashier (link resuming an open order)`, url: cashier },
      ],
      chromium,
      save,
    );
    for (const l of r)
      log(
        `run ${i + 1} ${l.page}: performance ${l.performance}, accessibility ${l.accessibility}; FCP ${fmt(l.fcpMs, 0)} LCP ${fmt(l.lcpMs, 0)} TBT ${fmt(l.tbtMs, 0)}; below 0.9: ${l.failing.join(', ') || '-'}`,
      );
    all.push(...r);
  }
} finally {
  for (const b of builds) await stopServer(b.web);
}
for (const l of medianScores(all))
  log(
    `${l.page}, median of ${l.runs?.length} (${l.errors} failed by Lighthouse): performance ${l.performance} (${l.runs?.join('/')}), accessibility ${l.accessibility}; FCP ${fmt(l.fcpMs, 0)} LCP ${fmt(l.lcpMs, 0)} TBT ${fmt(l.tbtMs, 0)}`,
  );
process.exit(0);
