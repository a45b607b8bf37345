// `tsx bench/pay-inproc.ts [--profile out.cpuprofile]`: balance payments in-process (app.request, no HTTP) on a temp
// SQLite file (or DATABASE_URL), 50 at a time, one fresh order each; the CPU profile (node:inspector) covers only the
// payments, not their supply. Prints payments per second, CPU ms per payment and, with --profile, where the time went.
import { Session } from 'node:inspector/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.ts';
import { createRuntime } from '../src/bootstrap.ts';
import { loadConfig } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';
import { AMOUNT, linkParams, PIN, SESSION_SECRET, seedDatabase } from './lib/bff.ts';
import { summarizeProfile } from './lib/probe.ts';
import { cpuMeter, describeSplit, mariadbPid } from './lib/cpu.ts';

void AMOUNT;
const N = Number(process.env.BENCH_PAYMENTS ?? 2000);
const out = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1]! : null;
const url = process.env.DATABASE_URL ?? `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'zf-pay-')), 'p.db')}`;
const seeded = await seedDatabase(url, 100);
const limits = Object.fromEntries(
  ['PIN_PER_IP', 'PIN_PER_USER', 'SESSION_PER_PARTNER', 'SESSION_PER_IP', 'ORDER_PER_SESSION'].map((n) => [
    `RATE_LIMIT_${n}`,
    '100000000/60',
  ]),
);
// Time per statement text during the payments (Kysely's log hook), the costliest printed at the end.
const byStatement = new Map<string, { n: number; ms: number }>();
let timing = false;
const runtime = await createRuntime(
  loadConfig({ NODE_ENV: 'development', DATABASE_URL: url, SESSION_SECRET, LOG_LEVEL: 'silent', JOBS: 'false', ...limits }),
  {
    logger: createLogger('silent'),
    log: (e) => {
      if (!timing) return;
      const k = e.query.sql.slice(0, 110);
      const t = byStatement.get(k) ?? { n: 0, ms: 0 };
      t.n++;
      t.ms += e.queryDurationMillis;
      byStatement.set(k, t);
    },
  },
);
const app = createApp(runtime.deps);
const post = async (p: string, body: unknown, token?: string) => {
  const res = await app.request(p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const users = seeded.cheapPinUsers;
const orders: Array<{ token: string; orderNo: string }> = [];
for (let i = 0; i < N; i++) {
  const user = users[i % users.length]!;
  const s = await post('/api/session', { params: linkParams(user, 'http://127.0.0.1:9/cb') });
  const o = await post('/api/orders', { policy_no: user.policyNo }, s.json.token as string);
  if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.json)}`);
  orders.push({ token: s.json.token as string, orderNo: (o.json.order as { order_no: string }).order_no });
}
const session = new Session();
if (out) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const meter = await cpuMeter(
  { bff: process.pid, mariadbd: url.startsWith('mysql:') ? mariadbPid(url) : null },
  url.startsWith('mysql:') ? url : undefined,
);
timing = true;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let bad = 0;
const queue = [...orders];
await Promise.all(
  Array.from({ length: 50 }, async () => {
    for (let o = queue.shift(); o; o = queue.shift()) {
      const r = await post(`/api/orders/${o.orderNo}/pay/balance`, { pin: PIN }, o.token);
      if (r.status !== 200) bad++;
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
timing = false;
const split = await meter.stop();
const top = [...byStatement.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
for (const [q, t] of top)
  console.log(`  ${(t.ms / N).toFixed(3)} ms/payment  ${(t.ms / t.n).toFixed(3)} ms × ${(t.n / N).toFixed(1)}  ${q}`);
const sqlMs = [...byStatement.values()].reduce((a, t) => a + t.ms, 0);
console.log(`  SQL (Kysely's measured time): ${(sqlMs / N).toFixed(2)} ms per payment`);
console.log(`  ${describeSplit(split)}`);
console.log(`${N} payments in ${secs.toFixed(2)} s = ${Math.round(N / secs)} /s in-process (${bad} not 200)`);
// CPU time (user + system) of this process per payment: on a shared machine less noisy than the wall-clock rate.
console.log(`  CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms per payment (user ${(cpu.user / 1000 / N).toFixed(3)} ms)`);
if (out) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  const s = summarizeProfile(profile as never, path.resolve('.') + '/');
  for (const g of s.groups.slice(0, 10)) console.log(`  ${g.selfPct.toFixed(1).padStart(5)} % ${g.name}`);
  for (const t of s.top.slice(0, 14)) console.log(`  ${t.selfPct.toFixed(1).padStart(5)} % ${t.name}`);
  for (const t of s.inclusive) console.log(`  incl ${t.pct.toFixed(1).padStart(5)} % ${t.name}`);
}
await runtime.close();
