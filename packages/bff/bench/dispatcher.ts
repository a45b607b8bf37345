// `tsx bench/dispatcher.ts [--base <bff dir of another checkout>]`: the callback dispatcher in-process on a temp SQLite
// file (DATABASE_URL to use another database), draining BENCH_BACKLOG (10 000) queued events to a loopback receiver
// (node:http, keep-alive). With --base, the same backlog is drained first by that checkout's worker, so both figures
// come from the same run. Prints deliveries per second and the drain time; checks that every event was delivered once.
// --outage: as `pnpm bench` measures it: the receiver answers 503 while the backlog is queued and for 2.5 s after (the
// worker runs as the scheduler runs it, once a second, never overlapping itself), then comes back; the drain is timed
// from then, the worker still on its 1 s schedule.
// BENCH_INSTANCES=n: each run is n runs at once on the one database, as n instances whose schedules coincide (each
// its own run, claims and chains; they race for the same due events).
import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRuntime } from '../src/bootstrap.ts';
import { testConfig } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { insertEvent } from '../src/modules/callback/callback.repository.ts';
import { deliverDueCallbacks } from '../src/modules/callback/callback.worker.ts';
import type { Deps } from '../src/deps.ts';

const N = Number(process.env.BENCH_BACKLOG ?? 10_000);
const baseIdx = process.argv.indexOf('--base');
const baseDir = baseIdx > 0 ? process.argv[baseIdx + 1] : null;
const OUTAGE = process.argv.includes('--outage');
/** BENCH_PAIRED=0: one event per order (order_created, as `pnpm bench` queues them) instead of two. */
const PAIRED = process.env.BENCH_PAIRED !== '0';
let down = false;
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 0);
const SLOW_EVERY = Number(process.env.BENCH_SLOW_EVERY ?? 100);
let answers = 0;

let received = 0;
/** When each 2xx was answered: the drain's tail (the last events) is reported beside its total. */
const times: number[] = [];
const seen = new Map<string, number>();
const server = createServer((req, res) => {
  const id = String(req.headers['webhook-id'] ?? '');
  req.resume();
  req.on('end', () => {
    if (down) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('outage');
    // BENCH_SLOW_MS: one answer in BENCH_SLOW_EVERY (100) takes this long (a partner with a slow tail).
    if (SLOW_MS > 0 && ++answers % SLOW_EVERY === 0) return void setTimeout(() => ok(id, res), SLOW_MS);
    ok(id, res);
  });
});
function ok(id: string, res: ServerResponse): void {
  received++;
  times.push(Date.now());
  seen.set(id, (seen.get(id) ?? 0) + 1);
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
}
server.keepAliveTimeout = 30_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
// BENCH_RECEIVER_URL: a receiver in another process (to profile the worker alone); deliveries are then counted here
// from the outbox rather than by the receiver.
const url = process.env.BENCH_RECEIVER_URL ?? `http://127.0.0.1:${port}/cb`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'zf-dispatch-'));
const runtime = await createRuntime(
  testConfig({ DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${path.join(dir, 'd.db')}`, SEED_DEMO: 'true' }),
  { logger: createLogger('silent') },
);
const deps = runtime.deps;

async function queue(tag: string): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < N; i += 1000) {
    await deps.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(N, i + 1000); j++) {
        // Two events per order (seq 1, 2), as order_created then paid: the per-order order is kept (or one: PAIRED).
        const orderNo = `ZFB${tag}${String(PAIRED ? Math.floor(j / 2) : j).padStart(8, '0')}`;
        const seq = PAIRED ? (j % 2) + 1 : 1;
        await insertEvent(trx, {
          id: `evt_${tag}_${j}`,
          order_no: orderNo,
          partner_id: DEMO.partnerId,
          url,
          event: seq === 1 ? 'order_created' : 'paid',
          seq,
          final: seq === 2 ? 1 : 0,
          payload: JSON.stringify({ order_no: orderNo, seq, event_id: `evt_${tag}_${j}` }),
          created_at: now,
        });
      }
    });
  }
}

async function drain(name: string, worker: (d: Deps) => Promise<unknown>, capMs: number): Promise<void> {
  const before = received;
  const t0 = Date.now();
  // CPU time of this process (the worker, and the receiver unless BENCH_RECEIVER_URL): robust to a busy machine.
  const cpu0 = process.cpuUsage();
  const left = async () =>
    Number(
      (
        await deps.db
          .selectFrom('callback_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['pending', 'sending'])
          .executeTakeFirstOrThrow()
      ).n,
    );
  let remaining = await left();
  while (remaining > 0 && Date.now() - t0 < capMs) {
    const tick = Date.now();
    await worker(deps);
    remaining = await left();
    // The scheduler's 1 s interval: a run that ends between ticks waits for the next one.
    if (OUTAGE && remaining > 0) await sleep(1000 - ((Date.now() - tick) % 1000));
  }
  const secs = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mine = times.slice(before).map((t) => (t - t0) / 1000);
  const at = (q: number) => (mine.length ? mine[Math.min(mine.length - 1, Math.floor(q * mine.length))]!.toFixed(2) : '—');
  const tail = mine.filter((t) => t > secs - 5).length;
  console.log(`${name}: 50 % delivered at ${at(0.5)} s, 99 % at ${at(0.99)} s, 99.9 % at ${at(0.999)} s; ${tail} in the last 5 s`);
  const got = process.env.BENCH_RECEIVER_URL ? N - remaining : received - before;
  console.log(
    `${name}: ${got} delivered in ${secs.toFixed(2)} s = ${Math.round(got / secs)} /s, CPU ${Math.round((cpu.user + cpu.system) / Math.max(got, 1))} µs per delivery; ${remaining === 0 ? `drained ${N} in ${secs.toFixed(2)} s` : `${remaining} left after ${secs.toFixed(0)} s (drain ≈ ${Math.round(N / Math.max(got / secs, 1e-9))} s projected)`}`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** --outage: the receiver is down while the backlog is queued and for 2.5 s of scheduled runs after. */
async function outage(worker: (d: Deps) => Promise<unknown>, tag: string): Promise<void> {
  if (!OUTAGE) return queue(tag);
  down = true;
  let stop = false;
  const runs = (async () => {
    while (!stop) {
      const tick = Date.now();
      await worker(deps);
      await sleep(1000 - ((Date.now() - tick) % 1000));
    }
  })();
  await queue(tag);
  await sleep(2500);
  stop = true;
  await runs;
  down = false;
}

const INSTANCES = Math.max(1, Number(process.env.BENCH_INSTANCES ?? 1));
const together =
  (worker: (d: Deps) => Promise<unknown>) =>
  (d: Deps): Promise<unknown> =>
    Promise.all(Array.from({ length: INSTANCES }, () => worker(d)));
const ours = together((d: Deps) => deliverDueCallbacks(d));
const base = baseDir
  ? ((await import(path.join(path.resolve(baseDir), 'src/modules/callback/callback.worker.ts'))) as {
      deliverDueCallbacks(d: Deps): Promise<unknown>;
    })
  : null;
/** --rounds n: baseline and this checkout alternate n times (--new-first: this one first in each pair). */
const rIdx = process.argv.indexOf('--rounds');
const ROUNDS = rIdx > 0 ? Number(process.argv[rIdx + 1]) : 1;
const NEW_FIRST = process.argv.includes('--new-first');
for (let r = 0; r < ROUNDS; r++) {
  const order: Array<[string, (d: Deps) => Promise<unknown>]> = base
    ? [
        ['baseline worker', together((d) => base.deliverDueCallbacks(d))],
        ['this worker', ours],
      ]
    : [['this worker', ours]];
  if (NEW_FIRST) order.reverse();
  for (const [name, worker] of order) {
    const tag = `${r}${name[0]}`;
    await outage(worker, tag);
    await drain(name, worker, OUTAGE ? 60_000 : 30_000);
    // What a worker left (not drained by its cap) is drained before the next backlog.
    while ((await deliverDueCallbacks(deps)).delivered > 0);
  }
}
const dup = [...seen.values()].filter((n) => n > 1).length;
console.log(`receiver: ${received} requests, ${seen.size} distinct event ids, ${dup} delivered more than once`);
await runtime.close();
server.close();
