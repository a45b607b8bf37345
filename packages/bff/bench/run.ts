// `pnpm bench`: the load benchmark of issue 11. Starts the BFF as its own process (src/server.ts) on a fresh temp
// SQLite database and on a fresh database of a throwaway MariaDB, drives it with autocannon (50 connections, warm-up
// discarded), each subject alternating with bare Hono (and the pay endpoint with the raw driver), checks the money
// afterwards, and writes BENCHMARKS.md at the repo root. `--smoke` / BENCH_SMOKE=1: a few seconds per subject
// (for CI), written to packages/bff/bench/results/BENCHMARKS.smoke.md instead.
//   BENCH_DBS=sqlite,mariadb   which databases (default both; MariaDB skipped loudly when mariadbd is missing)
//   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/   use this server instead of starting a throwaway one
//   BENCH_SKIP=h5,lighthouse,profile,dispatcher,memory,multiproc,quota,requests   leave subjects out (smoke default:
//     lighthouse,multiproc; requests: the request table's subjects — create, cashier, pay, journey)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSignedLink } from '@zf/shared/partner';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { BFF_DIR, SESSION_SECRET, startNode } from './lib/bff.ts';
import { DBS, failures, log, notes, receiver, REPO, servers, SKIP, SMOKE, started, stopServer, T, tmp, track } from './lib/context.ts';
import { type DbRun } from './lib/context.ts';
import { mariadb, runDatabase } from './lib/db-run.ts';
import { buildH5, findChromium, lighthouse, medianScores, type BuildSizes, type LighthouseScores } from './lib/h5.ts';
import { checkMoney } from './lib/invariants.ts';
import { probeStatements } from './lib/probe.ts';
import { quotaSection, quotaSubject } from './lib/quota-report.ts';
import { report } from './lib/report.ts';
import { fmt } from './lib/util.ts';

async function main(): Promise<void> {
  log(`${SMOKE ? 'SMOKE' : 'FULL'} run; databases ${DBS.join(', ')}; temp ${tmp}`);
  await receiver.start();
  const runs: DbRun[] = [];
  let sql: Awaited<ReturnType<typeof probeStatements>> | null = null;
  let h5: BuildSizes | null = null;
  let lh: LighthouseScores[] | null = null;
  let quota: Awaited<ReturnType<typeof quotaSubject>> = [];
  try {
    sql = await probeStatements();
    log(
      `SQL per payment: ${sql.pay.statements} statements in ${sql.pay.transactions} transactions, order row read ${sql.pay.orderRowReads}×`,
    );
    for (const db of DBS) {
      if (db !== 'sqlite' && db !== 'mariadb') throw new Error(`unknown database ${db}`);
      const r = await runDatabase(db);
      if (r) runs.push(r);
    }
    if (!SKIP.has('h5')) {
      const dist = path.join(tmp, 'h5-dist');
      h5 = await buildH5(REPO, dist);
      log(`H5: entry JS ${fmt(h5.js.gzipKb, 1)} KB gzip, CSS ${fmt(h5.css.gzipKb, 1)} KB gzip`);
      const chromium = findChromium();
      const sq = runs.find((r) => r.name === 'sqlite');
      if (SKIP.has('lighthouse')) notes.push('Lighthouse: skipped on request (BENCH_SKIP).');
      else if (!chromium) notes.push('Lighthouse: **not measured** — no /usr/bin/chromium (apt-get install chromium fonts-noto-cjk).');
      else if (!sq) notes.push('Lighthouse: not measured (needs the SQLite run for its data).');
      else {
        receiver.tag = 'sqlite';
        await stopServer(sq.bff); // one process on the SQLite file
        const web = await track(
          startNode(
            'bff-h5',
            'src/server.ts',
            { NODE_ENV: 'development', DATABASE_URL: sq.url, SESSION_SECRET, LOG_LEVEL: 'warn', JOBS: 'false', SERVE_H5_DIR: dist },
            tmp,
          ),
        );
        const user = sq.seeded.users[0]!;
        // Several runs (fresh links and an open order each), the median kept: one Lighthouse run moves by 5–10 points here.
        const all: LighthouseScores[] = [];
        for (let i = 0; i < T.lighthouseRuns; i++) {
          const entry = buildSignedLink(
            `${web.url}/wallet/index.html`,
            {
              partner_id: DEMO.partnerId,
              amout: '1.00',
              refer_no: `LH-${Date.now()}-${i}`,
              claim_no: user.claimNo,
              callback: receiver.url,
            },
            DEMO.linkSecret,
          );
          // A link for a refer_no with an open order: the H5 resumes it at the cashier.
          const referNo = `LH-C-${Date.now()}-${i}`;
          const link = buildSignedLink(
            `${web.url}/wallet/index.html`,
            { partner_id: DEMO.partnerId, amout: '1.00', refer_no: referNo, claim_no: user.claimNo, callback: receiver.url },
            DEMO.linkSecret,
          );
          const params = Object.fromEntries(new URLSearchParams(link.split('?')[1]));
          const s = (await (
            await fetch(`${web.url}/api/session`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ params }),
            })
          ).json()) as { token: string };
          await fetch(`${web.url}/api/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
            body: JSON.stringify({ policy_no: user.policyNo }),
          });
          all.push(
            ...(await lighthouse(
              [
                { page: 'entry (valid-policy)', url: entry },
                { page: 'cashier (link resuming an open order)', url: link },
              ],
              chromium,
            )),
          );
        }
        lh = medianScores(all);
        for (const l of lh)
          log(`Lighthouse ${l.page}: performance ${l.performance} (runs ${l.runs?.join('/')}), accessibility ${l.accessibility}`);
        await stopServer(web);
      }
    }
    if (!SKIP.has('quota')) quota = await quotaSubject();
    const sq = runs.find((r) => r.name === 'sqlite');
    if (sq) {
      // The last word on SQLite's money, after every process that wrote to it.
      await stopServer(sq.bff);
      sq.money = await checkMoney(sq.url, receiver, 'sqlite', false);
      for (const p of sq.money.problems) failures.push(`sqlite (final): ${p}`);
    }
  } catch (err) {
    failures.push(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    for (const s of [...servers]) await s.child.stop();
    await receiver.stop();
    await mariadb?.stop();
  }
  const md = report(runs, h5, lh, sql).replace('<!-- FINDINGS -->\n', `${quotaSection(quota)}<!-- FINDINGS -->\n`);
  const target = SMOKE ? path.join(BFF_DIR, 'bench/results/BENCHMARKS.smoke.md') : path.join(REPO, 'BENCHMARKS.md');
  mkdirSync(path.dirname(target), { recursive: true });
  // Keep the hand-written findings of an earlier BENCHMARKS.md (below the marker) when rewriting the figures.
  let previous = '';
  try {
    previous = readFileSync(target, 'utf8').split('<!-- FINDINGS -->')[1] ?? '';
  } catch {
    // first run
  }
  writeFileSync(target, md.replace('<!-- FINDINGS -->\n', `<!-- FINDINGS -->${previous || '\n'}`));
  log(`wrote ${path.relative(REPO, target)}`);
  if (!failures.length) rmSync(tmp, { recursive: true, force: true });
  if (failures.length) {
    console.error(`(the child processes' logs are kept in ${tmp})`);
    console.error(`\nBENCH FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(1);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; money checks passed`);
  process.exit(0);
}

await main();
