// The subjects beyond the request table: several BFF processes on one MariaDB, the callback dispatcher after a
// receiver outage and resident memory over many payments (SQLite), and a CPU profile of the pay path (SQLite).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '../../src/db/database.ts';
import { BFF_DIR, createOrders, startBff, type Ready } from './bff.ts';
import { alternate, failures, log, notes, receiver, SKIP, stopServer, T, tmp, track, type DbRun } from './context.ts';
import { sessionsFor, type Supply } from './supply.ts';
import { summarizeProfile } from './probe.ts';
import { payVariant, type Variant } from './subjects.ts';
import { fmt, rssMb, sleep } from './util.ts';
import { describeSplit, mariadbPid, mergeSplits, metered, type CpuSplit } from './cpu.ts';

export async function extraSubjects(run: DbRun, { url, supply, payRate }: { url: string; supply: Supply; payRate: number }): Promise<void> {
  const { name, bff } = run;
  const { users, cheapPinUsers } = run.seeded;
  // 6. MariaDB: two BFF processes on one database against one.
  if (name === 'mariadb' && !SKIP.has('multiproc')) {
    const second = await track(startBff('bff-mariadb-2', url, tmp));
    const poolA: Ready[] = [];
    const poolB: Ready[] = [];
    const one = payVariant(bff.url, 'one process', poolA, async (n) => void poolA.push(...(await supply.orders(users, n))));
    const halfA = payVariant(bff.url, 'a', poolA, async () => {});
    const halfB = payVariant(second.url, 'b', poolB, async () => {});
    const both: Variant = {
      name: 'two processes',
      async prepare(seconds, last) {
        const need = Math.ceil(Math.max(last, 20) * seconds * 0.8) + 100;
        if (poolA.length < need) poolA.push(...(await supply.orders(users, need - poolA.length)));
        if (poolB.length < need) poolB.push(...(await supply.orders(users, need - poolB.length)));
      },
      async run(seconds) {
        const [a, b] = await Promise.all([halfA.run(seconds), halfB.run(seconds)]);
        return {
          ...a,
          rps: a.rps + b.rps,
          p50: Math.max(a.p50, b.p50),
          p99: Math.max(a.p99, b.p99),
          ok: a.ok + b.ok,
          bad: a.bad + b.bad,
          errors: a.errors + b.errors,
          exhausted: a.exhausted || b.exhausted,
        };
      },
    };
    // Where the CPU goes in each: mariadbd, the BFF process(es), this process (autocannon, the load generator).
    const dbPid = mariadbPid(url);
    const splits: Record<'one' | 'two', CpuSplit[]> = { one: [], two: [] };
    const pids = (two: boolean) => () => ({
      mariadbd: dbPid,
      bff: bff.child.pid,
      ...(two ? { 'bff-2': second.child.pid } : {}),
      'load generator': process.pid,
    });
    const [o, t] = await alternate(
      name,
      'pay/balance: processes on one MariaDB',
      [metered(one, pids(false), url, splits.one), metered(both, pids(true), url, splits.two)],
      ['one process', 'two processes'],
    );
    const cpu = { one: mergeSplits(splits.one), two: mergeSplits(splits.two), oneRps: o!.m.rps, twoRps: t!.m.rps };
    if (cpu.one) log(`one process: ${describeSplit(cpu.one)}`);
    if (cpu.two) log(`two processes: ${describeSplit(cpu.two)}`);
    run.multiproc = { one: o!.m.rps, two: t!.m.rps, oneP99: o!.m.p99, twoP99: t!.m.p99, cpu };
    await stopServer(second);
  }

  // 7. SQLite: the callback dispatcher draining a backlog after a receiver outage.
  if (name === 'sqlite' && !SKIP.has('dispatcher')) {
    receiver.down = true;
    log(`dispatcher: receiver down; queueing ${T.backlog} order_created events`);
    const backlog = await supply.rawOrders(users, T.backlog, true);
    await sleep(2500); // the dispatcher meets the outage (failed attempts go to the retry schedule)
    const { db, destroy } = connect(url);
    const queued = async () =>
      Number(
        (
          await db
            .selectFrom('callback_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['pending', 'sending'])
            .executeTakeFirstOrThrow()
        ).n,
      );
    const q0 = await queued();
    const state = async () => {
      const file = url.slice('sqlite:'.length);
      const size = (f: string) => (existsSync(f) ? (statSync(f).size / 2 ** 20).toFixed(1) : '0');
      const count = async (table: 'callback_events' | 'orders') =>
        (
          await db
            .selectFrom(table)
            .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('status')
            .execute()
        )
          .map((r) => `${r.status} ${r.n}`)
          .join(', ');
      return `db ${size(file)} MB, wal ${size(`${file}-wal`)} MB; events: ${await count('callback_events')}; orders: ${await count('orders')}`;
    };
    log(`dispatcher: before the drain: ${await state()}`);
    receiver.down = false;
    const t0 = Date.now();
    let left = q0;
    let drainedIn: number | null = null;
    while (Date.now() - t0 < T.drainCap * 1000) {
      await sleep(250);
      left = await queued();
      if (left === 0) {
        drainedIn = (Date.now() - t0) / 1000;
        break;
      }
    }
    const secs = (Date.now() - t0) / 1000;
    const delivered = receiver.countBetween(t0, Date.now());
    let peak = 0;
    for (let s = t0; s + 5000 <= Date.now(); s += 1000) peak = Math.max(peak, receiver.countBetween(s, s + 5000) / 5);
    log(`dispatcher: after the drain: ${await state()}`);
    await destroy();
    run.dispatcher = {
      queued: q0,
      drainedIn,
      left,
      rate: delivered / secs,
      peakRate: peak || delivered / secs,
      projected: drainedIn ?? q0 / Math.max(delivered / secs, 1e-9),
    };
    log(`dispatcher: ${q0} queued, ${delivered} delivered in ${secs.toFixed(1)} s (${fmt(delivered / secs)} /s), ${left} left`);
    void backlog;
  }

  // 8. SQLite: resident memory before/after many payments (users whose PIN hash is already the keyed one).
  if (name === 'sqlite' && !SKIP.has('memory')) {
    const rate = payRate;
    // Orders for a warm-up (a fifth of the time, not counted) and the measured payments after it.
    const n = Math.min(T.memPayments, Math.ceil(rate * T.memCap * 1.1)) + Math.ceil(rate * T.memCap * 0.25);
    log(`memory: preparing ${n} orders`);
    const orders = await sessionsFor(bff.url, await supply.rawOrders(cheapPinUsers, n), cheapPinUsers);
    const pay = payVariant(bff.url, 'BFF', orders, async () => {});
    // "Before" is read after a warm-up of payments: straight after preparing the orders the RSS still holds that
    // phase's garbage (308 → 213 MB in one run), which is not what the payments do to it.
    await pay.run(Math.max(1, T.memCap / 5));
    await sleep(1000);
    const before = rssMb(bff.child.pid);
    const t0 = Date.now();
    let paid = 0;
    while (orders.length && Date.now() - t0 < T.memCap * 1000) {
      const m = await pay.run(Math.max(1, T.memCap - (Date.now() - t0) / 1000));
      paid += m.ok;
      if (m.bad || m.errors) failures.push(`memory run: ${m.bad} bad, ${m.errors} errors ${JSON.stringify(m.statuses)}`);
    }
    await sleep(1000);
    const after = rssMb(bff.child.pid);
    run.memory = { before, after, payments: paid, seconds: (Date.now() - t0) / 1000, heapNote: '' };
    log(`memory: RSS ${fmt(before)} → ${fmt(after)} MB over ${paid} payments`);
  }

  // 9. SQLite: a CPU profile of the pay path under load , in its own BFF process.
  if (name === 'sqlite' && T.profile && !SKIP.has('profile')) {
    const profDir = path.join(tmp, 'prof');
    mkdirSync(profDir, { recursive: true });
    // One process on the SQLite file (a second one meets SQLITE_BUSY_SNAPSHOT, which inTransaction does not retry).
    await stopServer(bff);
    const prof = await track(startBff('bff-profile', url, tmp, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]));
    const orders: Ready[] = [];
    const pv = payVariant(
      prof.url,
      'BFF',
      orders,
      async (k) => void orders.push(...(await createOrders(prof.url, cheapPinUsers, k, receiver.url))),
    );
    await pv.prepare!(T.profile, payRate);
    const m = await pv.run(T.profile);
    log(`profile: ${fmt(m.rps)} payments/s under --cpu-prof`);
    await stopServer(prof);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      run.profile = summarizeProfile(JSON.parse(readFileSync(path.join(profDir, file), 'utf8')), BFF_DIR);
      const keep = path.join(BFF_DIR, 'bench/results');
      mkdirSync(keep, { recursive: true });
      writeFileSync(path.join(keep, 'pay-balance.cpuprofile'), readFileSync(path.join(profDir, file)));
    } else notes.push('profile: no .cpuprofile was written');
  }
}
