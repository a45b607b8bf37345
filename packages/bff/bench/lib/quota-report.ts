// The quota read subject of `pnpm bench` (issue 9): bench/quota.ts at 10 k / 1 M / 10 M records (smoke: 1 k / 20 k),
// written as its own section of BENCHMARKS.md.
import { benchQuota, type QuotaDbResult } from '../quota.ts';
import { DBS, failures, log, SMOKE } from './context.ts';
import { fmt } from './util.ts';

export async function quotaSubject(): Promise<QuotaDbResult[]> {
  const sizes = (process.env.BENCH_QUOTA_SIZES ?? (SMOKE ? '1000,20000' : '10000,1000000,10000000')).split(',').map(Number);
  try {
    return await benchQuota({ sizes, dbs: DBS, rounds: SMOKE ? 51 : 301, sumReads: SMOKE ? 3 : 5, log });
  } catch (err) {
    // A book that differs from the plain SUM is a failure of the run, like a broken money check.
    failures.push(`quota: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

export function quotaSection(results: QuotaDbResult[]): string {
  if (!results.length) return '';
  const out = [
    '## Insurer quota read (issue 9)',
    '',
    '`quota.remaining()` (the quota book: running total up to a watermark + the records after it) against the seed’s plain ' +
      '`SUM` per type, one database per size (every record older than an hour but for a 200-record recent tail), the ' +
      'book read round-robin across the sizes so each round meets the same machine load; the plain SUMs in their own loop ' +
      'afterwards. Every read equals the plain SUM (checked). Target: the book ≤ 1.5× between sizes.',
    '',
    '| database | records | load s | first read (catch-up) ms | book p50 ms | book p90 ms | book vs smallest | plain SUM ms | SUM vs smallest |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const base = r.sizes[0]!;
    for (const s of r.sizes) {
      const ratio = s.bookMs / base.bookMs;
      out.push(
        `| ${r.db} | ${fmt(s.size)} | ${fmt(s.loadS, 1)} | ${fmt(s.catchUpMs, 1)} | ${s.bookMs.toFixed(3)} | ${s.bookP90Ms.toFixed(3)} | ` +
          `×${ratio.toFixed(2)}${s === base ? '' : ratio <= 1.5 ? ' (flat)' : ' **(not flat)**'} | ${fmt(s.sumMs, 2)} | ×${(s.sumMs / base.sumMs).toFixed(1)} |`,
      );
    }
  }
  out.push(
    '',
    `Rounds of book reads: ${results[0]!.rounds} per database. Run alone: \`pnpm bench:quota\` (BENCH_QUOTA_SIZES, BENCH_QUOTA_DBS).`,
    '',
  );
  return out.join('\n');
}
