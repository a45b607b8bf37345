// `pnpm reconcile [--since DATE] [--out FILE]`: reconciles the orders created since DATE (YYYY-MM-DD, Asia/Shanghai
// midnight, or any ISO date-time; default: all) and the books, against the database of the environment
// (DATABASE_URL, QUOTA_*, PAYZERO_*). Prints a summary, writes the differences as JSON (default
// .data/reconcile-<time>.json) and stores the run (`ran_by = cli`, shown on the console's 对账 page); exits 0 when
// clean, 1 on any difference, 2 when it could not run (another run holding the slot included).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRuntime } from '../packages/bff/src/bootstrap.ts';
import { loadConfig } from '../packages/bff/src/env.ts';
import { payzeroLookup } from '../packages/bff/src/modules/reconcile/reconcile.job.ts';
import { recordedReconcile } from '../packages/bff/src/modules/reconcile/reconcile-runs.service.ts';

function parseSince(value: string | undefined): number {
  if (!value) return 0;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00+08:00`) : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--since: not a date: ${value}`);
  return ms;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(): Promise<number> {
  const since = parseSince(arg('--since'));
  // Reconciliation reads; it never seeds demo data into the database it checks.
  const config = loadConfig({ ...process.env, SEED_DEMO: 'false', JOBS: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const runtime = await createRuntime(config);
  try {
    const until = runtime.deps.clock.now();
    const done = await recordedReconcile(runtime.deps, { since, until, ranBy: 'cli' }, payzeroLookup(runtime.deps));
    if (!done) {
      console.error('another reconciliation run is running (see the console’s 对账 page); try again when it is done');
      return 2;
    }
    const { report, run } = done;
    const out = arg('--out') ?? `.data/reconcile-${new Date(report.ranAt).toISOString().replace(/[:.]/g, '-')}.json`;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    const byCheck = new Map<string, number>();
    for (const d of report.differences) byCheck.set(d.check, (byCheck.get(d.check) ?? 0) + 1);
    console.log(
      `reconcile since ${since ? new Date(since).toISOString() : 'the beginning'}: ${report.orders} orders, ${report.insurers} insurers, ${report.providerChecks} provider records checked`,
    );
    if (report.differences.length === 0) console.log('clean: no differences');
    else {
      console.log(`${report.differences.length} difference(s): ${[...byCheck].map(([k, n]) => `${k} ${n}`).join(', ')}`);
      for (const d of report.differences.slice(0, 20)) console.log(`  ${d.check} ${d.orderNo ?? d.icCode ?? ''}: ${d.detail}`);
    }
    console.log(`written to ${out}; stored as run ${run.id}`);
    return report.differences.length ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`reconcile failed: ${(err as Error).message}`);
    process.exit(2);
  },
);
