// `pnpm lint` (after ESLint): the layout rules ESLint does not know.
//   1. No import cycles (type-only imports included) in the BFF, the shared package and the H5.
//   2. Dependencies point one way in the BFF: providers/, http/, db/, ledger/, lib/ and jobs/ never import modules/
//      (db/tables.ts, the Database interface, takes the modules' *.table.ts types); production code under src/
//      never imports dev/ (simulators, demo partner) or testing/ (test wiring), and dev/ never imports testing/.
//   3. No source file over 300 lines (tests aside).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 300;
const SOURCE_DIRS = [
  'packages/bff/src',
  'packages/bff/dev',
  'packages/bff/testing',
  'packages/bff/bench',
  'packages/shared/src',
  'packages/h5/src',
  'scripts',
];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const isTest = (file: string) => /\.test\.ts$|\/e2e\//.test(file);
const files = SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d)));
const problems: string[] = [];

const graph = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (!isTest(file) && lines > MAX_LINES) problems.push(`${rel(file)}: ${lines} lines (at most ${MAX_LINES} outside tests)`);
  const targets: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec) targets.push(rel(path.resolve(path.dirname(file), spec)));
  }
  graph.set(rel(file), targets);
}

// 2. direction
const BFF = 'packages/bff/src/';
const LOWER = ['providers/', 'http/', 'db/', 'ledger/', 'lib/', 'jobs/'].map((d) => BFF + d);
for (const [from, targets] of graph) {
  for (const to of targets) {
    if (LOWER.some((d) => from.startsWith(d)) && to.startsWith(`${BFF}modules/`)) {
      const allowed = from === `${BFF}db/tables.ts` && to.endsWith('.table.ts');
      if (!allowed) problems.push(`${from} imports ${to}: ${from.slice(BFF.length).split('/')[0]}/ must not depend on modules/`);
    }
    if (from.startsWith(BFF) && !isTest(from) && /^packages\/bff\/(dev|testing)\//.test(to)) {
      problems.push(`${from} imports ${to}: production code must not depend on dev/ or testing/`);
    }
    if (from.startsWith('packages/bff/dev/') && !isTest(from) && to.startsWith('packages/bff/testing/')) {
      problems.push(`${from} imports ${to}: what \`pnpm dev\` runs must not depend on the test wiring`);
    }
  }
}

// 1. cycles (Tarjan's strongly connected components)
let index = 0;
const stack: string[] = [];
const meta = new Map<string, { index: number; low: number; onStack: boolean }>();
function connect(v: string): void {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    const mw = meta.get(w);
    if (!mw) {
      connect(w);
      meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.low);
    } else if (mw.onStack) meta.get(v)!.low = Math.min(meta.get(v)!.low, mw.index);
  }
  const mv = meta.get(v)!;
  if (mv.low === mv.index) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      meta.get(w)!.onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) problems.push(`import cycle: ${component.sort().join(' ↔ ')}`);
  }
}
for (const v of graph.keys()) if (!meta.has(v)) connect(v);

if (problems.length > 0) {
  console.error(`layout check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layout check: ${graph.size} files, no cycles, dependencies one way, none over ${MAX_LINES} lines`);
