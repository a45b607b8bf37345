// `tsx bench/ab-pay.ts <bff dir of the baseline checkout>`: balance pay of this checkout against a baseline checkout in
// the SAME run (the machine is shared, so figures of different runs do not compare): both BFFs as their own processes
// (src/server.ts, jobs on), each on its own fresh database seeded by its own code, driven in alternation by autocannon
// (50 connections, one fresh order per payment, users whose PIN hash is already the keyed HMAC), bare Hono beside them.
//   BENCH_AB_DB=sqlite|mariadb (default sqlite; mariadb: a throwaway mariadbd, or BENCH_MYSQL_URL)
//   BENCH_AB_SECONDS=6 per run, BENCH_AB_ROUNDS=2, BENCH_AB_PROF=<dir>: profile this checkout's BFF (--cpu-prof)
import path from 'node:path';
import { startThrowawayMariaDb } from '../../../scripts/mariadb.ts';
import { createMysqlDatabase } from './lib/bff.ts';
import * as ours from './lib/bff.ts';
import { measure, type Measured } from './lib/cannon.ts';
import { Receiver } from './lib/receiver.ts';
import { payRequestShape, payVariant } from './lib/subjects.ts';
import { fmt, median } from './lib/util.ts';
import { describeSplit, mariadbPid, mergeSplits, metered, type CpuSplit } from './lib/cpu.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';

const baseDir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) throw new Error('usage: tsx bench/ab-pay.ts <bff dir of the baseline checkout>');
const DB = process.env.BENCH_AB_DB ?? 'sqlite';
const SECONDS = Number(process.env.BENCH_AB_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 2);
const USERS = 100;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zf-ab-'));
const base = (await import(path.join(baseDir, 'bench/lib/bff.ts'))) as typeof ours;

const receiver = new Receiver();
await receiver.start();
const servers: ours.Server[] = [];
let stopDb = async () => {};
try {
  const urls: Record<'base' | 'new', string> = { base: '', new: '' };
  if (DB === 'sqlite') {
    urls.base = `sqlite:${path.join(tmp, 'base.db')}`;
    urls.new = `sqlite:${path.join(tmp, 'new.db')}`;
  } else {
    let server = process.env.BENCH_MYSQL_URL;
    if (!server) {
      const m = await startThrowawayMariaDb();
      if (!m) throw new Error('no mariadbd');
      server = m.url;
      stopDb = () => m.stop();
    }
    urls.base = (await createMysqlDatabase(server, `zf_ab_base_${process.pid}`)).url;
    urls.new = (await createMysqlDatabase(server, `zf_ab_new_${process.pid}`)).url;
  }
  const seeded = { base: await base.seedDatabase(urls.base, USERS), new: await ours.seedDatabase(urls.new, USERS) };
  const bff = {
    base: await base.startBff('bff-base', urls.base, tmp),
    // BENCH_AB_PROF=<dir>: this checkout's BFF under --cpu-prof (the profile is written when it stops).
    new: await ours.startBff(
      'bff-new',
      urls.new,
      tmp,
      process.env.BENCH_AB_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_AB_PROF}`] : [],
    ),
  };
  const bare = await ours.startNode('bare-hono', 'bench/servers/bare-hono.ts', {}, tmp);
  servers.push(bff.base, bff.new, bare);
  const pools: Record<'base' | 'new', ours.Ready[]> = { base: [], new: [] };
  // The CPU split of each side's runs (mariadbd, its BFF, this process = the load generator) and MariaDB's lock waits.
  const splits: Record<'base' | 'new', CpuSplit[]> = { base: [], new: [] };
  const dbPid = DB === 'mariadb' ? mariadbPid(urls.new) : null;
  const variants = (['base', 'new'] as const).map((k) => ({
    k,
    v: metered(
      payVariant(
        bff[k].url,
        k,
        pools[k],
        async (n) => void pools[k].push(...(await ours.createOrders(bff[k].url, seeded[k].cheapPinUsers, n, receiver.url))),
      ),
      () => ({ mariadbd: dbPid, bff: bff[k].child.pid, 'load generator': process.pid }),
      DB === 'mariadb' ? urls[k] : undefined,
      splits[k],
    ),
  }));
  const results: Record<string, Measured[]> = { base: [], new: [], bare: [] };
  let last: Record<string, number> = { base: 50, new: 200 };
  for (let round = 0; round <= ROUNDS; round++) {
    const warm = round === 0;
    const b = await measure({ url: bare.url, connections: 50, duration: warm ? 1 : 3, requests: [payRequestShape()] });
    if (!warm) results.bare!.push(b);
    for (const { k, v } of variants) {
      await v.prepare!(warm ? 2 : SECONDS, last[k]!);
      const m = await v.run(warm ? 2 : SECONDS);
      console.log(
        `${warm ? 'warm-up' : `round ${round}`} ${k}: ${fmt(m.rps)} /s, p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms (${m.ok} ok, ${m.bad} bad, ${m.errors} errors)`,
      );
      if (!warm) results[k]!.push(m);
      last = { ...last, [k]: m.rps };
    }
  }
  const row = (k: string) => {
    const ms = results[k]!;
    return `${k}: ${fmt(median(ms.map((m) => m.rps)))} req/s, p50 ${fmt(median(ms.map((m) => m.p50)))} ms, p99 ${fmt(median(ms.map((m) => m.p99)))} ms`;
  };
  console.log(`\n${DB}, ${ROUNDS} rounds of ${SECONDS} s, median:\n  ${row('base')}\n  ${row('new')}\n  bare Hono ${row('bare')}`);
  for (const k of ['base', 'new'] as const) {
    const s = mergeSplits(splits[k]);
    if (s) console.log(`  ${k} ${describeSplit(s)}`);
  }
  await new Promise((r) => setTimeout(r, 1500));
  console.log(`callbacks received: ${receiver.deliveries} (${receiver.duplicates} duplicates)`);
} finally {
  for (const s of servers) await s.child.stop();
  await stopDb();
  await receiver.stop();
}
