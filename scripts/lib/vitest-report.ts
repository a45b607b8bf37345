// Reading vitest's JSON report: per-label counts (`[sqlite]`, `[mariadb]`) and the totals of every test run.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface JsonAssertion {
  fullName?: string;
  title?: string;
  ancestorTitles?: string[];
  status?: string;
  failureMessages?: string[];
}
export interface JsonReport {
  testResults?: { name?: string; assertionResults?: JsonAssertion[] }[];
}

export type Counts = { passed: number; failed: number; skipped: number };

/** All tests run by the unit and e2e stages, for the plain closing line `tests: N passed, N failed, N skipped`. */
export type Totals = Counts & { counted: boolean };

/** A test's full name (suite titles and its own), as the report gives it or built from its parts. */
const fullNameOf = (a: JsonAssertion) => a.fullName ?? [...(a.ancestorTitles ?? []), a.title ?? ''].join(' ');

export function countLabelled(report: JsonReport, label: string): Counts {
  const c: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of report.testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      if (!fullNameOf(a).includes(label)) continue;
      if (a.status === 'passed') c.passed++;
      else if (a.status === 'failed') c.failed++;
      else c.skipped++; // skipped, pending, todo
    }
  }
  return c;
}

export function addTotals(totals: Totals, report: JsonReport): void {
  totals.counted = true;
  for (const file of report.testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      if (a.status === 'passed') totals.passed++;
      else if (a.status === 'failed') totals.failed++;
      else totals.skipped++;
    }
  }
}

/** The failed tests, file and name and the first line of the first failure, for the summary at the end of the log. */
export function failedTests(report: JsonReport, root: string): string[] {
  const out: string[] = [];
  for (const file of report.testResults ?? []) {
    const rel = file.name ? path.relative(root, file.name) : '?';
    for (const a of file.assertionResults ?? []) {
      if (a.status !== 'failed') continue;
      const first = (a.failureMessages?.[0] ?? '').split('\n').find((l) => l.trim()) ?? '';
      out.push(`${rel} > ${fullNameOf(a)}${first ? `\n      ${first.trim().slice(0, 300)}` : ''}`);
    }
  }
  return out;
}

export function readReport(file: string): JsonReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
  } catch {
    return null;
  }
}

export function fmtCounts(c: Counts): string {
  const parts = [`${c.passed} passed`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.join(', ');
}
