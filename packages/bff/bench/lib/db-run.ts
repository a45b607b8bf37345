// One database's part of the run: a fresh database, seeded; the BFF, bare Hono and the raw-driver server as their own
// processes; the subjects (create, cashier, pay, journey, then the extras); the money.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { startThrowawayMariaDb, type ThrowawayMariaDb } from '../../../../scripts/mariadb.ts';
import { createMysqlDatabase, seedDatabase, startBff, startNode, type Ready } from './bff.ts';
import { alternate, failures, log, notes, receiver, SKIP, stopServer, T, tmp, track, type DbRun } from './context.ts';
import { makeSupply } from './supply.ts';
import { extraSubjects } from './extras.ts';
import { awaitRecovery, checkMoney } from './invariants.ts';
import { bareJourney, bareVariant, cashierVariant, createVariant, journeyVariant, payRequestShape, payVariant } from './subjects.ts';
import { sleep } from './util.ts';
import { SMOKE } from './context.ts';

export let mariadb: ThrowawayMariaDb | null = null;

export async function runDatabase(name: 'sqlite' | 'mariadb'): Promise<DbRun | null> {
  let url: string;
  let drop = async () => {};
  if (name === 'sqlite') {
    url = `sqlite:${path.join(tmp, 'bench.db')}`;
  } else {
    let base = process.env.BENCH_MYSQL_URL;
    if (!base) {
      mariadb = await startThrowawayMariaDb();
      if (!mariadb) {
        notes.push('MariaDB: **not measured** — `mariadbd` is not installed here (apt-get install mariadb-server).');
        if (process.env.CI === 'true') failures.push('MariaDB is required under CI=true');
        return null;
      }
      base = mariadb.url;
    }
    const created = await createMysqlDatabase(base, `zf_bench_${process.pid}`);
    url = created.url;
    drop = created.drop;
  }
  receiver.tag = name;
  log(`${name}: seeding ${T.users} + ${T.users} bench users`);
  const seeded = await seedDatabase(url, T.users);
  // SQLite: the raw driver pays on its own copy of the seeded file, so that the BFF's jobs (the callback dispatcher,
  // recovery) and its in-flight requests never hold the one write lock it needs; its money is checked there too.
  const rawUrl = name === 'sqlite' ? `sqlite:${path.join(tmp, 'raw.db')}` : url;
  if (name === 'sqlite') copyFileSync(url.slice('sqlite:'.length), rawUrl.slice('sqlite:'.length));
  const [bff, bare, raw, seeder] = await Promise.all([
    track(startBff(`bff-${name}`, url, tmp)),
    track(startNode(`bare-hono-${name}`, 'bench/servers/bare-hono.ts', {}, tmp)),
    track(startNode(`raw-pay-${name}`, 'bench/servers/raw-pay.ts', { DATABASE_URL: rawUrl }, tmp)),
    name === 'sqlite' ? track(startNode('raw-seeder-sqlite', 'bench/servers/raw-pay.ts', { DATABASE_URL: url }, tmp)) : null,
  ]);
  const run: DbRun = { name, url, bff, seeded };
  const supply = makeSupply(bff.url, seeder ?? raw);
  const rawSupply = makeSupply(bff.url, raw);
  const { users } = seeded;

  // BENCH_SKIP=requests: only the extra subjects (e.g. the dispatcher alone: BENCH_SKIP=requests,memory,profile,multiproc,h5).
  let payRate = 50;
  if (!SKIP.has('requests')) payRate = await requestSubjects();
  async function requestSubjects(): Promise<number> {
    // 1. Order creation (each request under its own fresh session); its orders feed the pay subject.
    const sessions: Ready[] = [];
    const created: Ready[] = [];
    await alternate(name, 'POST /api/orders (create)', [
      bareVariant(bare.url, 'bare Hono', [
        {
          method: 'POST',
          path: '/api/orders',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${'x'.repeat(300)}` },
          body: JSON.stringify({ policy_no: 'POL-BENCH-0001' }),
        },
      ]),
      createVariant(bff.url, sessions, async (n) => void sessions.push(...(await supply.sessions(users, n))), created),
    ]);

    // 2. Cashier read of 100 open orders.
    const cashierOrders = created.splice(0, 100);
    await alternate(name, 'GET /api/orders/:no/cashier', [
      bareVariant(bare.url, 'bare Hono', [
        { method: 'GET', path: '/api/orders/ZF20261122000000000001/cashier', headers: { authorization: `Bearer ${'x'.repeat(300)}` } },
      ]),
      cashierVariant(bff.url, cashierOrders.length ? cashierOrders : await supply.orders(users, 100)),
    ]);

    // 3. Balance pay: one fresh order per payment; beside bare Hono and the raw-driver transaction.
    const payPool = created.filter((o) => users.some((u) => u.userId === o.user.userId));
    const rawPool: Ready[] = [];
    const payRows = await alternate(
      name,
      'POST /api/orders/:no/pay/balance',
      [
        bareVariant(bare.url, 'bare Hono', [payRequestShape()]),
        payVariant(bff.url, 'BFF', payPool, async (n) => void payPool.push(...(await supply.orders(users, n)))),
        payVariant(
          raw.url,
          'raw driver',
          rawPool,
          async (n) =>
            void rawPool.push(...(await rawSupply.rawOrders(users, n)).map((o) => ({ token: 'x', user: users[0]!, orderNo: o.orderNo }))),
          '/raw',
          SMOKE ? 1500 : 4000,
        ),
      ],
      ['BFF', 'raw driver'],
    );

    // 5. The whole partner journey: session from a signed link → policies → quote → order → pay (rate = journeys/s).
    await alternate(name, 'partner journey (5 requests)', [bareJourney(bare.url), journeyVariant(bff.url, users, receiver.url)]);
    return payRows.find((r) => r.variant === 'BFF')?.m.rps ?? 50;
  }

  await extraSubjects(run, { url, supply, payRate });

  // The money, after everything this database saw.
  await sleep(1500);
  const recovery = await awaitRecovery(url);
  if (recovery.interrupted) {
    const line = `${name}: ${recovery.interrupted} settlement(s) gave up mid-way (deadlocks past the retries) and were left to the recovery job; it left ${recovery.left} unfinished`;
    log(line);
    notes.push(line);
  }
  run.money = await checkMoney(url, receiver, name, false);
  log(`${name} money: ${run.money.summary}`);
  for (const p of run.money.problems) failures.push(`${name}: ${p}`);
  if (name !== 'sqlite') {
    for (const s of [bff, bare, raw]) await stopServer(s);
    await drop();
  } else {
    await stopServer(bare);
    await stopServer(raw);
    if (seeder) await stopServer(seeder);
    const rawMoney = await checkMoney(rawUrl, receiver, 'none', false);
    log(`sqlite raw-driver copy money: ${rawMoney.summary}`);
    for (const p of rawMoney.problems) failures.push(`sqlite (raw-driver copy): ${p}`);
  }
  return run;
}
