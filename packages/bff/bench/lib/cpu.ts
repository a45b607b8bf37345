// Where the CPU went during a subject: utime + stime of named processes (/proc/<pid>/stat) before and after, the
// whole machine's busy time (/proc/stat, so other work on the shared cores shows), and MariaDB's lock waits
// (SHOW GLOBAL STATUS Innodb_row_lock_*) over the same interval. Linux only; elsewhere the figures are null.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { createConnection } from 'mysql2/promise';

const TICK_MS = 10; // USER_HZ is 100 on every Linux we run on

function ticksOf(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces: the numeric fields start after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // fields 14 and 15: utime, stime
  } catch {
    return null;
  }
}

/** Busy and total ticks of the whole machine (all cores). */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** The pid of the mariadbd listening on the port of `url` (our throwaway server), or null. */
export function mariadbPid(url: string): number | null {
  const port = new URL(url).port || '3306';
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      const args = cmd.split('\0');
      if (args[0]?.endsWith('mariadbd') && args.includes(`--port=${port}`)) return Number(d);
    }
  } catch {
    // not Linux
  }
  return null;
}

export interface LockWaits {
  waits: number;
  waitMs: number;
  deadlocks: number;
}

async function lockStatus(url: string): Promise<LockWaits | null> {
  try {
    const c = await createConnection({ uri: url });
    try {
      const [rows] = await c.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Innodb_deadlocks')",
      );
      const v = Object.fromEntries(
        (rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, Number(r.Value)]),
      );
      return { waits: v.Innodb_row_lock_waits ?? 0, waitMs: v.Innodb_row_lock_time ?? 0, deadlocks: v.Innodb_deadlocks ?? 0 };
    } finally {
      await c.end();
    }
  } catch {
    return null;
  }
}

export interface CpuSplit {
  wallMs: number;
  /** CPU ms per named process over the interval (a core fully busy for the whole interval = wallMs). */
  cpuMs: Record<string, number>;
  /** Busy CPU ms of the whole machine (all processes, ours and others'), and its capacity (cores × wall). */
  machineBusyMs: number | null;
  capacityMs: number;
  locks: LockWaits | null;
}

/** Starts measuring; `stop()` gives the split over the interval. `pids` are named processes (self = this process). */
export async function cpuMeter(pids: Record<string, number | null>, mysqlUrl?: string): Promise<{ stop(): Promise<CpuSplit> }> {
  const named = Object.entries(pids).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0);
  const locks0 = mysqlUrl ? await lockStatus(mysqlUrl) : null;
  const t0 = performance.now();
  const before = named.map(([, pid]) => ticksOf(pid));
  const m0 = machineTicks();
  return {
    async stop() {
      const after = named.map(([, pid]) => ticksOf(pid));
      const m1 = machineTicks();
      const wallMs = performance.now() - t0;
      const locks1 = mysqlUrl ? await lockStatus(mysqlUrl) : null;
      const cpuMs: Record<string, number> = {};
      named.forEach(([name], i) => {
        const a = before[i];
        const b = after[i];
        if (a != null && b != null) cpuMs[name] = (cpuMs[name] ?? 0) + (b - a) * TICK_MS;
      });
      return {
        wallMs,
        cpuMs,
        machineBusyMs: m0 && m1 ? (m1.busy - m0.busy) * TICK_MS : null,
        capacityMs: wallMs * os.cpus().length,
        locks:
          locks0 && locks1
            ? { waits: locks1.waits - locks0.waits, waitMs: locks1.waitMs - locks0.waitMs, deadlocks: locks1.deadlocks - locks0.deadlocks }
            : null,
      };
    },
  };
}

/** "mariadbd 1.12 cores, bff 0.61, …, rest of the machine 0.20 of 2" — CPU in cores (CPU ms / wall ms). */
export function describeSplit(s: CpuSplit): string {
  const cores = (ms: number) => (ms / s.wallMs).toFixed(2);
  const ours = Object.values(s.cpuMs).reduce((a, b) => a + b, 0);
  const parts = Object.entries(s.cpuMs).map(([n, ms]) => `${n} ${cores(ms)}`);
  if (s.machineBusyMs != null) parts.push(`everything else ${cores(Math.max(0, s.machineBusyMs - ours))}`);
  const lock = s.locks ? `; row-lock waits ${s.locks.waits} (${s.locks.waitMs} ms), deadlocks ${s.locks.deadlocks}` : '';
  return `CPU in cores of ${os.cpus().length}: ${parts.join(', ')}${lock}`;
}

/** Sums splits of several runs (CPU, wall, machine busy, lock waits). */
export function mergeSplits(splits: CpuSplit[]): CpuSplit | null {
  if (!splits.length) return null;
  const cpuMs: Record<string, number> = {};
  for (const s of splits) for (const [n, ms] of Object.entries(s.cpuMs)) cpuMs[n] = (cpuMs[n] ?? 0) + ms;
  const sum = (f: (s: CpuSplit) => number | null) => (splits.some((s) => f(s) == null) ? null : splits.reduce((a, s) => a + f(s)!, 0));
  const locks = splits.every((s) => s.locks)
    ? {
        waits: splits.reduce((a, s) => a + s.locks!.waits, 0),
        waitMs: splits.reduce((a, s) => a + s.locks!.waitMs, 0),
        deadlocks: splits.reduce((a, s) => a + s.locks!.deadlocks, 0),
      }
    : null;
  return { wallMs: sum((s) => s.wallMs)!, cpuMs, machineBusyMs: sum((s) => s.machineBusyMs), capacityMs: sum((s) => s.capacityMs)!, locks };
}

/** The variant with every run after its first (the warm-up) metered into `sink`; `pids()` is read at each run. */
export function metered<V extends { run(seconds: number): Promise<R> }, R>(
  v: V,
  pids: () => Record<string, number | null>,
  mysqlUrl: string | undefined,
  sink: CpuSplit[],
): V {
  let runs = 0;
  return {
    ...v,
    async run(seconds: number) {
      const meter = await cpuMeter(pids(), mysqlUrl);
      const r = await v.run(seconds);
      const split = await meter.stop();
      if (runs++ > 0) sink.push(split);
      return r;
    },
  };
}
