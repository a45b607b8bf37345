// `tsx bench/cashier-inproc.ts [--profile out.cpuprofile] [--create]`: cashier reads (or, with --create, order
// creations, each under its own fresh session) in-process (app.request, no HTTP) on a temp SQLite file (or
// DATABASE_URL), 50 at a time; the CPU profile covers only the measured requests. Prints requests per second and,
// with --profile, where the time went. The load-test rate limits are lifted as `pnpm bench` lifts them.
import { Session } from 'node:inspector/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.ts';
import { createRuntime } from '../src/bootstrap.ts';
import { loadConfig, RATE_LIMIT_DEFAULTS } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';
import { linkParams, SESSION_SECRET, seedDatabase } from './lib/bff.ts';
import { summarizeProfile } from './lib/probe.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 20_000);
const CREATE = process.argv.includes('--create');
const out = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1]! : null;
const url = process.env.DATABASE_URL ?? `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'zf-cashier-')), 'c.db')}`;
const seeded = await seedDatabase(url, 100);
const LOAD_TEST_LIMITS = Object.fromEntries(Object.keys(RATE_LIMIT_DEFAULTS).map((n) => [`RATE_LIMIT_${n.toUpperCase()}`, '100000000/60']));
const runtime = await createRuntime(
  loadConfig({ NODE_ENV: 'development', DATABASE_URL: url, SESSION_SECRET, LOG_LEVEL: 'silent', JOBS: 'false', ...LOAD_TEST_LIMITS }),
  { logger: createLogger('silent') },
);
const app = createApp(runtime.deps);
const call = async (method: string, p: string, body?: unknown, token?: string) => {
  const res = await app.request(p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const users = seeded.users;
const targets: Array<{ token: string; orderNo: string; policyNo: string }> = [];
for (let i = 0; i < (CREATE ? N : 100); i++) {
  const user = users[i % users.length]!;
  const s = await call('POST', '/api/session', { params: linkParams(user, 'http://127.0.0.1:9/cb') });
  if (s.status !== 200) throw new Error(`session: ${s.status} ${JSON.stringify(s.json)}`);
  let orderNo = '';
  if (!CREATE) {
    const o = await call('POST', '/api/orders', { policy_no: user.policyNo }, s.json.token as string);
    if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.json)}`);
    orderNo = (o.json.order as { order_no: string }).order_no;
  }
  targets.push({ token: s.json.token as string, orderNo, policyNo: user.policyNo });
}
const session = new Session();
if (out) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const t0 = performance.now();
let bad = 0;
let n = 0;
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (n < N) {
      const t = targets[CREATE ? n : n % targets.length]!;
      n++;
      const r = CREATE
        ? await call('POST', '/api/orders', { policy_no: t.policyNo }, t.token)
        : await call('GET', `/api/orders/${t.orderNo}/cashier`, undefined, t.token);
      if (r.status !== (CREATE ? 201 : 200)) bad++;
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
console.log(
  `${N} ${CREATE ? 'order creations' : 'cashier reads'} in ${secs.toFixed(2)} s = ${Math.round(N / secs)} /s in-process (${bad} not ${CREATE ? 201 : 200})`,
);
if (out) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  const s = summarizeProfile(profile as never, path.resolve('.') + '/');
  for (const g of s.groups.slice(0, 10)) console.log(`  ${g.selfPct.toFixed(1).padStart(5)} % ${g.name}`);
  for (const t of s.top.slice(0, 25)) console.log(`  ${t.selfPct.toFixed(1).padStart(5)} % ${t.name}`);
  for (const t of s.inclusive) console.log(`  incl ${t.pct.toFixed(1).padStart(5)} % ${t.name}`);
}
await runtime.close();
