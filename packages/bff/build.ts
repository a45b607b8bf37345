// `pnpm --filter @zf/bff build`: bundles the production server (src/server.ts and what it imports, @zf/shared
// included from source) into dist/server.js with esbuild; npm packages stay external (better-sqlite3 is native).
// Refuses a bundle that pulls in dev-only code (simulators, demo partner, test wiring).
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// `tsx build.ts [outdir]` (default dist/; the production-build test bundles into a folder of its own).
const outdir = process.argv[2] ?? 'dist';
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@zf/'));

const result = await build({
  entryPoints: ['src/server.ts'],
  outfile: `${outdir}/server.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  external: external.flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
const devOnly = inputs.filter((file) => /(^|\/)(dev|testing)\//.test(file) || /simulator|demo-partner/.test(file));
if (devOnly.length > 0) {
  console.error(`the production bundle must not contain dev-only code:\n  ${devOnly.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
const bytes = result.metafile.outputs[`${outdir}/server.js`]?.bytes ?? 0;
console.log(`${outdir}/server.js: ${inputs.length} source files, ${(bytes / 1024).toFixed(0)} KiB`);
