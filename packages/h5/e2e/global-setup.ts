// Builds the H5 once before the browser tests: they run against the production bundle the BFF serves at /wallet/.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const h5 = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url)), 'build', '--logLevel', 'warn'],
    { cwd: h5, stdio: 'inherit' },
  );
}
