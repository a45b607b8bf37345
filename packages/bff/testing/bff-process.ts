// The real BFF as a child process (tsx src/server.ts) for the crash, two-instance and outage tests, and a bounded
// wait for a condition.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSignedLink } from '@zf/shared/partner';
import { DEMO } from '../src/modules/demo/demo.seed.ts';

const BFF = fileURLToPath(new URL('..', import.meta.url));

export interface BffProcess {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
  output: () => string;
}

export function startBff(env: Record<string, string>): BffProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: BFF,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => out };
}

/** Polls `fn` every 100 ms until it answers something truthy; throws after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not there yet (server starting, connection refused)
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free-enough loopback port for a child BFF. */
export const randomPort = (): number => 21_000 + Math.floor(Math.random() * 20_000);

/** The `POST /api/session` params of a signed demo link for zhangsan's claim. */
export function demoLinkParams(base: string, referNo: string, callback: string, amount = '100.00'): Record<string, string> {
  const link = buildSignedLink(
    `${base}/wallet/index.html`,
    { partner_id: DEMO.partnerId, amout: amount, refer_no: referNo, claim_no: DEMO.users.zhangsan.claimNo, callback },
    DEMO.linkSecret,
    Math.floor(Date.now() / 1000),
  );
  return Object.fromEntries(new URLSearchParams(link.split('?')[1]));
}

/** A JSON POST to a BFF; `null` when the request failed (connection refused, reset, timed out). */
export async function postJson(
  base: string,
  path: string,
  body: unknown,
  token?: string,
  timeoutMs = 20_000,
): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  } catch {
    return null;
  }
}
