// The "What stands between" lines of the processes subject, generated from its measured CPU split.
import type { CpuSplit } from './cpu.ts';
import { fmt } from './util.ts';

export interface ProcessesCpu {
  one: CpuSplit | null;
  two: CpuSplit | null;
  oneRps: number;
  twoRps: number;
}

const cores = (s: CpuSplit, ms: number) => ms / s.wallMs;

function line(label: string, s: CpuSplit, rps: number): string {
  const c = (n: string) => cores(s, s.cpuMs[n] ?? 0);
  const bff = Object.keys(s.cpuMs)
    .filter((n) => n.startsWith('bff'))
    .reduce((a, n) => a + c(n), 0);
  const ours = Object.values(s.cpuMs).reduce((a, b) => a + b, 0);
  const rest = s.machineBusyMs == null ? null : cores(s, Math.max(0, s.machineBusyMs - ours));
  const perPay = (n: number) => (rps > 0 ? `${fmt((n * 1000) / rps, 2)} ms` : '—');
  const locks = s.locks
    ? `${fmt(s.locks.waits / Math.max(1, (rps * s.wallMs) / 1000), 2)} per payment, ${fmt(s.locks.waitMs)} ms in all, ${s.locks.deadlocks} deadlocks`
    : '—';
  return `| ${label} | ${fmt(rps)} | ${c('mariadbd').toFixed(2)} (${perPay(c('mariadbd'))}) | ${bff.toFixed(2)} (${perPay(bff)}) | ${c('load generator').toFixed(2)} | ${rest == null ? '—' : rest.toFixed(2)} | ${s.machineBusyMs == null ? '—' : `${Math.round((100 * s.machineBusyMs) / s.capacityMs)} %`} | ${locks} |`;
}

/** The table and the verdict: what the second process had to work with. */
export function processesCpuSection(p: ProcessesCpu, coresTotal: number): string[] {
  if (!p.one || !p.two) return [];
  const out = [
    `CPU split of the processes subject (MariaDB, balance pay, 50 connections; utime + stime from /proc/<pid>/stat over the measured runs, in cores of ${coresTotal}; per payment in brackets; "everything else" is the rest of the machine's busy time from /proc/stat: other work on the shared cores; lock waits from SHOW GLOBAL STATUS Innodb_row_lock_*):`,
    '',
    '| run | req/s | mariadbd | BFF process(es) | load generator | everything else | machine busy | row-lock waits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    line('one process', p.one, p.oneRps),
    line('two processes', p.two, p.twoRps),
    '',
  ];
  const db = cores(p.two, p.two.cpuMs.mariadbd ?? 0);
  const busy = p.two.machineBusyMs == null ? null : p.two.machineBusyMs / p.two.capacityMs;
  const ratio = p.oneRps > 0 ? p.twoRps / p.oneRps : 0;
  const verdict: string[] = [];
  if (db > 1)
    verdict.push(
      `mariadbd alone took ${db.toFixed(2)} cores of ${coresTotal} with two processes, so two BFF processes cannot reach 1.6× on this machine`,
    );
  if (busy != null && busy > 0.9)
    verdict.push(
      `the machine was ${Math.round(busy * 100)} % busy during the two-process runs: a second BFF process had no idle core to use`,
    );
  const dbPer = (s: CpuSplit, rps: number) => (cores(s, s.cpuMs.mariadbd ?? 0) * 1000) / Math.max(rps, 1);
  verdict.push(
    `two processes gave ${ratio.toFixed(2)}× one; mariadbd spent ${fmt(dbPer(p.one, p.oneRps), 2)} → ${fmt(dbPer(p.two, p.twoRps), 2)} ms of CPU per payment`,
  );
  out.push(`- Two processes: ${verdict.join('; ')}.`, '');
  return out;
}
