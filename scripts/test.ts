// `pnpm test`: the whole quality gate, stage by stage, failing fast.
//
//   1 typecheck   pnpm typecheck
//   2 lint        pnpm lint
//   3 mariadb     start a throwaway MariaDB (scripts/mariadb.ts) -> TEST_MYSQL_URL=mysql://root@127.0.0.1:<port>/
//   4 unit        vitest run (root vitest.config.ts, all projects) + summary of the [sqlite] / [mariadb] tests
//   5 e2e         vitest run --config packages/h5/e2e/vitest.config.ts with CHROMIUM_PATH
//   6 bench       pnpm bench --smoke (load harness, a few seconds per subject, money checks) on SQLite and the stage-3 MariaDB
//
// Extra arguments go to the stage-4 vitest run:  pnpm test -- src/ledger   /   pnpm test -- -t "refund"
// Local shortcut: TEST_SKIP_STAGES=typecheck,lint pnpm test   (not allowed under CI=true).
// Under CI=true, anything skipped for lack of MariaDB / Chromium / e2e tests is a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, hasE2eTests } from './lib/e2e-probe.ts';
import { banner, bold, green, loud, paint, red, secs, yellow } from './lib/output.ts';
import { addTotals, countLabelled, failedTests, fmtCounts, readReport, type JsonReport, type Totals } from './lib/vitest-report.ts';
import { startThrowawayMariaDb, type ThrowawayMariaDb } from './mariadb.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CI = process.env.CI === 'true';
const E2E_DIR = path.join(ROOT, 'packages/h5/e2e');
const E2E_CONFIG = path.join(E2E_DIR, 'vitest.config.ts');
const VITEST_BIN = path.join(ROOT, 'node_modules/.bin/vitest');

const SKIP_STAGES = new Set(
  (process.env.TEST_SKIP_STAGES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

let extraArgs = process.argv.slice(2);
if (extraArgs[0] === '--') extraArgs = extraArgs.slice(1);

type StageResult = { name: string; status: 'passed' | 'failed' | 'skipped'; ms: number; note?: string };
const results: StageResult[] = [];
/** All tests run by the unit and e2e stages, for the plain closing line `tests: N passed, N failed, N skipped`. */
const totals: Totals = { passed: 0, failed: 0, skipped: 0, counted: false };
/** The failed tests of the unit and e2e stages, repeated in the summary so that a log's tail names them. */
const failures: string[] = [];

// ---------- process handling ----------

let current: ChildProcess | null = null;
let db: ThrowawayMariaDb | null = null;
let interrupted: NodeJS.Signals | null = null;
let tmpDir: string | null = null;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    console.log(paint('2', `$ ${[cmd, ...args].join(' ')}`));
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    current = child;
    child.on('error', (err) => {
      console.error(red(`could not start ${cmd}: ${err.message}`));
      current = null;
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      current = null;
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}

async function cleanup(): Promise<void> {
  const d = db;
  db = null;
  if (d) {
    try {
      await d.stop();
    } catch (err) {
      console.error(`could not stop MariaDB cleanly: ${String(err)}`);
    }
  }
  if (tmpDir) {
    rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = null;
  }
}

function printSummary(): void {
  banner('summary');
  for (const r of results) {
    const mark = r.status === 'passed' ? green('PASS') : r.status === 'failed' ? red('FAIL') : yellow('SKIP');
    console.log(`  ${mark}  ${r.name.padEnd(10)} ${secs(r.ms).padStart(7)}${r.note ? `  ${r.note}` : ''}`);
  }
  if (failures.length) {
    console.log(red(`\n  failed tests (${failures.length}):`));
    for (const f of failures.slice(0, 20)) console.log(`    ${f}`);
    if (failures.length > 20) console.log(`    … and ${failures.length - 20} more (see above)`);
  }
}

/** A stage's vitest JSON report, its tests added to the totals and its failures to the summary (null: no report). */
function collect(jsonFile: string): JsonReport | null {
  const report = readReport(jsonFile);
  if (!report) return null;
  addTotals(totals, report);
  failures.push(...failedTests(report, ROOT));
  return report;
}

async function finish(code: number): Promise<never> {
  await cleanup();
  printSummary();
  const skipped = results.filter((r) => r.status === 'skipped');
  if (code !== 0) banner(`FAILED (exit ${code})`, red);
  else if (skipped.length) banner(`PASSED, BUT SKIPPED: ${skipped.map((r) => `${r.name} (${r.note ?? 'skipped'})`).join('; ')}`, yellow);
  else banner(`ALL STAGES PASSED${CI ? ' (CI)' : ''}`, green);
  // Plain, uncoloured closing line (CI log readers look for `N passed, N failed`).
  if (totals.counted) console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interrupted) return; // second Ctrl-C: cleanup is already running
    interrupted = sig;
    console.error(red(`\n${sig} received: stopping...`));
    // The terminal already delivered SIGINT to the foreground children; forward other signals.
    if (current && sig !== 'SIGINT') current.kill(sig);
    void (async () => {
      await cleanup();
      process.exit(128 + (os.constants.signals[sig] ?? 0));
    })();
  });
}

async function stage(name: string, title: string, body: () => Promise<{ ok: boolean; note?: string; skipped?: boolean }>): Promise<void> {
  banner(`[${name}] ${title}`);
  if (SKIP_STAGES.has(name)) {
    console.log(yellow(`[${name}] SKIPPED on request (TEST_SKIP_STAGES)`));
    results.push({ name, status: 'skipped', ms: 0, note: 'TEST_SKIP_STAGES' });
    return;
  }
  const t0 = Date.now();
  let outcome: { ok: boolean; note?: string; skipped?: boolean };
  try {
    outcome = await body();
  } catch (err) {
    console.error(red(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    outcome = { ok: false, note: 'crashed' };
  }
  const ms = Date.now() - t0;
  if (interrupted) return new Promise(() => undefined); // the signal handler exits
  const status = !outcome.ok ? 'failed' : outcome.skipped ? 'skipped' : 'passed';
  results.push({ name, status, ms, ...(outcome.note ? { note: outcome.note } : {}) });
  if (!outcome.ok) {
    banner(`[${name}] FAILED after ${secs(ms)}${outcome.note ? `: ${outcome.note}` : ''}`, red);
    await finish(1);
  }
  console.log(
    (status === 'skipped' ? yellow : green)(
      `[${name}] ${status === 'skipped' ? 'SKIPPED' : 'OK'} in ${secs(ms)}${outcome.note ? ` (${outcome.note})` : ''}`,
    ),
  );
}

// ---------- the stages ----------

const started = Date.now();
console.log(bold(`商保直付通 test runner${CI ? ' (CI=true: skips are failures)' : ''}; node ${process.version}`));
if (CI && SKIP_STAGES.size) {
  console.error(red(`TEST_SKIP_STAGES=${[...SKIP_STAGES].join(',')} is not allowed under CI=true`));
  process.exit(1);
}
tmpDir = mkdtempSync(path.join(os.tmpdir(), 'zf-test-'));

try {
  await stage('typecheck', 'pnpm typecheck', async () => ({ ok: (await run('pnpm', ['run', 'typecheck'])) === 0 }));

  await stage('lint', 'pnpm lint', async () => ({ ok: (await run('pnpm', ['run', 'lint'])) === 0 }));

  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  let haveMariaDb = false;
  await stage('mariadb', 'start a throwaway MariaDB', async () => {
    if (process.env.TEST_MYSQL_URL) {
      // Caller brought their own server (e.g. a local MariaDB/MySQL): use it as is.
      haveMariaDb = true;
      console.log(`using the given TEST_MYSQL_URL=${process.env.TEST_MYSQL_URL}`);
      return { ok: true, note: 'given TEST_MYSQL_URL' };
    }
    db = await startThrowawayMariaDb();
    if (!db) {
      loud('MariaDB not installed: the MariaDB half of the database tests was SKIPPED', CI ? red : yellow);
      if (CI) return { ok: false, note: 'MariaDB is required under CI=true (apt-get install mariadb-server)' };
      return { ok: true, skipped: true, note: 'not installed' };
    }
    haveMariaDb = true;
    childEnv.TEST_MYSQL_URL = db.url;
    console.log(`TEST_MYSQL_URL=${db.url}`);
    return { ok: true, note: db.url };
  });

  await stage('unit', `vitest run${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''}`, async () => {
    const jsonFile = path.join(tmpDir!, 'vitest.json');
    const code = await run(
      VITEST_BIN,
      ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...extraArgs],
      childEnv,
    );
    if (interrupted) return { ok: false };

    const report = collect(jsonFile);
    if (!report) console.log(yellow('(no JSON report from vitest: cannot count database tests)'));
    let note: string | undefined;
    let dbProblem: string | undefined;
    if (report) {
      const sqlite = countLabelled(report, '[sqlite]');
      const mariadb = countLabelled(report, '[mariadb]');
      note = `database tests: sqlite ${fmtCounts(sqlite)}, mariadb ${fmtCounts(mariadb)}`;
      banner(note, mariadb.passed > 0 && sqlite.passed > 0 ? green : yellow);
      if (sqlite.passed + sqlite.failed !== mariadb.passed + mariadb.failed && haveMariaDb) {
        console.log(yellow('note: the [sqlite] and [mariadb] suites did not run the same number of tests'));
      }
      if (!haveMariaDb) console.log(yellow('(the [mariadb] tests were skipped: MariaDB is not installed)'));
      if (CI && mariadb.passed === 0) dbProblem = 'no [mariadb] test passed (required under CI=true)';
    } else if (CI) {
      dbProblem = 'no JSON report: cannot prove the [mariadb] tests ran';
    }
    if (code !== 0) return { ok: false, note: `vitest exited with ${code}${note ? `; ${note}` : ''}` };
    if (dbProblem) {
      loud(dbProblem, red);
      return { ok: false, note: dbProblem };
    }
    return { ok: true, ...(note ? { note } : {}) };
  });

  await stage('e2e', 'browser end-to-end tests (packages/h5/e2e)', async () => {
    const chromium = findChromium();
    const haveTests = hasE2eTests(E2E_DIR) && existsSync(E2E_CONFIG);
    if (!chromium || !haveTests) {
      const why = !chromium
        ? 'Chromium not installed (apt-get install chromium fonts-noto-cjk)'
        : 'no packages/h5/e2e/**/*.e2e.ts tests found';
      loud(`E2E tests SKIPPED: ${why}`, CI ? red : yellow);
      if (CI) return { ok: false, note: why };
      return { ok: true, skipped: true, note: why };
    }
    const jsonFile = path.join(tmpDir!, 'e2e.json');
    const code = await run(
      VITEST_BIN,
      ['run', '--config', E2E_CONFIG, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`],
      {
        ...childEnv,
        CHROMIUM_PATH: chromium,
      },
    );
    collect(jsonFile);
    return { ok: code === 0, ...(code !== 0 ? { note: `vitest exited with ${code}` } : {}) };
  });

  await stage('bench', 'pnpm bench --smoke (load harness smoke + money checks)', async () => {
    const env: NodeJS.ProcessEnv = { ...childEnv, BENCH_SMOKE: '1' };
    if (childEnv.TEST_MYSQL_URL) env.BENCH_MYSQL_URL = childEnv.TEST_MYSQL_URL;
    else env.BENCH_DBS = 'sqlite';
    const code = await run('pnpm', ['run', 'bench', '--smoke'], env);
    return {
      ok: code === 0,
      ...(code !== 0 ? { note: `pnpm bench --smoke exited with ${code}` } : { note: haveMariaDb ? 'sqlite + mariadb' : 'sqlite only' }),
    };
  });
} catch (err) {
  console.error(red(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  await finish(1);
}

console.log(`\ntotal ${secs(Date.now() - started)}`);
await finish(0);
