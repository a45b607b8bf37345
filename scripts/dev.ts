// `pnpm dev`: the whole product on one machine — BFF on embedded SQLite (migrated, seeded with the demo data),
// the H5 dev server, the demo partner page and the provider simulators. Prints a signed demo deep link.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDemoPartner } from '../packages/bff/dev/demo-partner.ts';
import { startRobot } from '../packages/bff/dev/robot.ts';
import { startSimulators } from '../packages/bff/dev/simulators.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const PORTS = { bff: 8787, h5: 5173, partner: 5180, robot: 5181 };
const host = 'localhost';
const walletUrl = `http://${host}:${PORTS.h5}/wallet/index.html`;
const partnerUrl = `http://${host}:${PORTS.partner}`;
const children: ChildProcess[] = [];

function run(name: string, cmd: string, args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) =>
    stream?.on('data', (chunk: Buffer) => out.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${prefix}exited with ${code}; stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await sims?.close();
  await robot?.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function waitFor(url: string, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

const sims = await startSimulators({ bffUrl: `http://127.0.0.1:${PORTS.bff}`, walletUrl });
const partner = await startDemoPartner({ walletUrl, selfUrl: partnerUrl, port: PORTS.partner });
const robot = await startRobot(PORTS.robot);

run('bff', process.execPath, ['--import', 'tsx', 'packages/bff/src/server.ts'], {
  NODE_ENV: 'development',
  PORT: String(PORTS.bff),
  DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:.data/wallet.db',
  PUBLIC_BASE_URL: `http://${host}:${PORTS.bff}`,
  WALLET_URL: walletUrl,
  ADMIN_WEBHOOK_URL: process.env.ADMIN_WEBHOOK_URL ?? `http://127.0.0.1:${PORTS.robot}/send`,
  ...sims.env,
});
run(
  'h5',
  process.execPath,
  [
    fileURLToPath(new URL('../packages/h5/node_modules/vite/bin/vite.js', import.meta.url)),
    '--port',
    String(PORTS.h5),
    '--strictPort',
    '--host',
    '0.0.0.0',
  ],
  { BFF_URL: `http://127.0.0.1:${PORTS.bff}` },
  `${root}packages/h5`,
);

await waitFor(`http://127.0.0.1:${PORTS.bff}/healthz`);
await waitFor(walletUrl);

const link = partner.linkFor('CLM-DEMO-001', '100.00');
console.log(`
──────────────────────────────────────────────────────────────────────
 商保直付通 is running (embedded SQLite at .data/wallet.db, demo data seeded)

 Demo partner page (opens the wallet with a fresh signed link, shows callbacks):
   ${partnerUrl}/

 Signed demo deep link (claim CLM-DEMO-001, ¥100.00; valid 5 minutes — the partner page makes fresh ones):
   ${link}

 Operator console (admin / admin123):
   ${walletUrl}#/pages/admin/login
 Admin alert robot (the group-robot webhook's local stand-in):
   http://${host}:${PORTS.robot}/

 PIN 123456 · BFF http://${host}:${PORTS.bff} · simulators: ${sims.summary}
 Ctrl-C stops everything.
──────────────────────────────────────────────────────────────────────
`);
