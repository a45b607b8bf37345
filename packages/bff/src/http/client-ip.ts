// The client's IP address for abuse limits: the socket's peer by default; X-Forwarded-For only when a proxy in front
// of us is trusted (TRUST_PROXY_HOPS), counting that many hops from the right so a client cannot forge its own.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The client address, or `unknown` when there is no socket (in-process `app.request` in tests). */
export function clientIp(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const chain = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Each trusted proxy appends the address it saw; the entry `hops` from the right is what the outermost one saw.
    const candidate = chain[chain.length - trustProxyHops];
    if (candidate && /^[0-9a-fA-F.:]{2,45}$/.test(candidate)) return candidate.toLowerCase();
  }
  return socketIp(c) ?? 'unknown';
}

function socketIp(c: Context): string | null {
  // No Node socket behind `app.request()`; getConnInfo throws then.
  if (!(c.env as { incoming?: unknown } | undefined)?.incoming) return null;
  return getConnInfo(c).remote.address ?? null;
}
