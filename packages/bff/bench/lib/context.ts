// Shared state of one `pnpm bench` run: mode and durations, the log, results, failures, the callback receiver,
// the child servers, and the alternating measurement every subject goes through.
import type { ProcessesCpu } from './cpu-report.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Seeded, Server } from './bff.ts';
import type { MoneyCheck } from './invariants.ts';
import type { ProfileSummary } from './probe.ts';
import type { Measured } from './cannon.ts';
import { Receiver } from './receiver.ts';
import type { Variant } from './subjects.ts';
import { fmt, median, sleep } from './util.ts';

export const SMOKE = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
export const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
export const SKIP = new Set(
  (process.env.BENCH_SKIP ?? (SMOKE ? 'lighthouse,multiproc' : ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
export const DBS = (process.env.BENCH_DBS ?? 'sqlite,mariadb').split(',').map((s) => s.trim());
export const T = SMOKE
  ? {
      warm: 0.5,
      dur: 3,
      baseDur: 1,
      rounds: 1,
      users: 20,
      backlog: 300,
      drainCap: 5,
      memPayments: 100,
      memCap: 4,
      profile: 0,
      lighthouseRuns: 1,
    }
  : {
      warm: 2,
      dur: 6,
      baseDur: 3,
      rounds: 2,
      users: 200,
      backlog: 10_000,
      drainCap: 30,
      memPayments: 100_000,
      memCap: 45,
      profile: 8,
      lighthouseRuns: 3,
    };

export const started = Date.now();
export const LOAD_START = os.loadavg();
export const tmp = mkdtempSync(path.join(os.tmpdir(), 'zf-bench-'));
export const log = (s: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${s}`);
export const failures: string[] = [];
export const notes: string[] = [];

export interface Row {
  db: string;
  subject: string;
  variant: string;
  m: Measured;
  rounds: Measured[];
}
export const rows: Row[] = [];

export const receiver = new Receiver();
export const servers: Server[] = [];

export async function track(s: Promise<Server>): Promise<Server> {
  const srv = await s;
  servers.push(srv);
  return srv;
}

export async function stopServer(s: Server): Promise<void> {
  await s.child.stop();
  const i = servers.indexOf(s);
  if (i >= 0) servers.splice(i, 1);
}

/** autocannon drops its connections at the end of a run, but the server finishes what it had: let it. */
export const settle = (m: Measured) => sleep(Math.min(5000, (Number.isFinite(m.p99) ? m.p99 : 1000) + 300));

/** Warm-up (discarded), then `rounds` × every variant in turn; keeps the median of each variant's rounds. */
export async function alternate(db: string, subject: string, variants: Variant[], expectClean: string[] = ['BFF']): Promise<Row[]> {
  const results = new Map<string, Measured[]>(variants.map((v) => [v.name, []]));
  const last = new Map<string, number>();
  for (const v of variants) {
    await v.prepare?.(T.warm, 0);
    const w = await v.run(T.warm);
    last.set(v.name, w.rps);
    await settle(w);
  }
  for (let r = 0; r < T.rounds; r++) {
    for (const v of variants) {
      const seconds = v.name === 'bare Hono' ? T.baseDur : T.dur;
      await v.prepare?.(seconds, last.get(v.name) ?? 0);
      const m = await v.run(seconds);
      last.set(v.name, m.rps);
      await settle(m);
      results.get(v.name)!.push(m);
      log(
        `${db} ${subject} — ${v.name}: ${fmt(m.rps)} /s, p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms${m.bad || m.errors ? `, ${m.bad} bad + ${m.errors} errors ${JSON.stringify(m.statuses)}` : ''}${m.exhausted ? ' (supply ran out: stopped early)' : ''}`,
      );
      if (expectClean.includes(v.name) && (m.bad || m.errors))
        failures.push(
          `${db} ${subject} (${v.name}): ${m.bad} unexpected statuses ${JSON.stringify(m.statuses)}, ${m.errors} socket errors`,
        );
    }
  }
  const out: Row[] = [];
  for (const v of variants) {
    const ms = results.get(v.name)!;
    const pick = (k: 'rps' | 'p50' | 'p99') => median(ms.map((m) => m[k]));
    const row: Row = {
      db,
      subject,
      variant: v.name,
      m: { ...ms[0]!, rps: pick('rps'), p50: pick('p50'), p99: pick('p99'), exhausted: ms.some((m) => m.exhausted) },
      rounds: ms,
    };
    rows.push(row);
    out.push(row);
  }
  return out;
}

export interface DbRun {
  name: 'sqlite' | 'mariadb';
  url: string;
  bff: Server;
  seeded: Seeded;
  money?: MoneyCheck;
  multiproc?: { one: number; two: number; oneP99: number; twoP99: number; cpu?: ProcessesCpu };
  dispatcher?: { queued: number; drainedIn: number | null; left: number; rate: number; peakRate: number; projected: number };
  memory?: { before: number; after: number; payments: number; seconds: number; heapNote: string };
  profile?: ProfileSummary;
}
