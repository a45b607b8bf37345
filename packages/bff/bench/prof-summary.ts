// `tsx bench/prof-summary.ts <file.cpuprofile> [name …]`: self time by area and by function, and inclusive time of the
// named functions (default: the dispatcher's), from a `node --cpu-prof` profile.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { summarizeProfile } from './lib/probe.ts';

const [file, ...names] = process.argv.slice(2);
if (!file) throw new Error('usage: prof-summary.ts <file.cpuprofile> [function names for inclusive time]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof summarizeProfile>[0];
const s = summarizeProfile(profile, path.resolve(import.meta.dirname, '..'));
console.log(`sampled ${s.totalMs.toFixed(0)} ms, idle ${s.idlePct.toFixed(1)} %`);
for (const g of s.groups) console.log(`  ${g.selfPct.toFixed(1).padStart(5)} %  ${g.name}`);
console.log('self:');
for (const t of s.top) console.log(`  ${t.selfPct.toFixed(1).padStart(5)} %  ${t.name}`);
const wanted = names.length
  ? names
  : [
      'deliverRound',
      'deliverOne',
      'postCallback',
      'webhookHeaders',
      'dueBatch',
      'undeliveredSeqs',
      'claimBatch',
      'recordDelivered',
      'executeQuery',
      'compileQuery',
      'insertEvent',
    ];
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame.functionName;
    if (wanted.includes(f)) seen.add(f);
  }
  for (const n of seen) incl.set(n, (incl.get(n) ?? 0) + dt);
});
console.log('inclusive:');
for (const n of wanted) console.log(`  ${((100 * (incl.get(n) ?? 0)) / (total || 1)).toFixed(1).padStart(5)} %  ${n}`);
