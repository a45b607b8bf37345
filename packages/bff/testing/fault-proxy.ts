// A misbehaving network in front of a provider simulator, on a real loopback port: passes requests through, or
// answers 5xx, or hangs (holds the connection without answering until the caller gives up or the proxy closes), for
// the next n requests matching a path. Tests point the BFF's provider base URL at `url`.
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { serveApp } from './payzero.ts';

export type Fault = { kind: 'status'; status: ContentfulStatusCode } | { kind: 'hang' } | { kind: 'hang-after'; path?: string };

export interface FaultProxy {
  url: string;
  /** Where requests go when they pass (set once the simulator listens). */
  target: string;
  /** The next `n` requests whose path starts with `path` (default: any) meet `fault`. */
  inject(fault: Fault, n: number, path?: string): void;
  /** Requests seen, as `METHOD path -> outcome`. */
  readonly log: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(): Promise<FaultProxy> {
  const rules: { fault: Fault; left: number; path: string }[] = [];
  const log: string[] = [];
  const hanging = new Set<() => void>();
  const hang = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        hanging.delete(done);
        resolve();
      };
      hanging.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  const proxy: Omit<FaultProxy, 'url' | 'close'> & { target: string } = {
    target: '',
    log,
    inject(fault, n, path = '/') {
      rules.push({ fault, left: n, path });
    },
  };
  const app = new Hono().all('*', async (c) => {
    const path = new URL(c.req.url).pathname;
    const rule = rules.find((r) => r.left > 0 && path.startsWith(r.path));
    if (rule) rule.left--;
    const fault = rule?.fault;
    if (fault?.kind === 'status') {
      log.push(`${c.req.method} ${path} -> ${fault.status}`);
      return c.json({ error: 'injected' }, fault.status);
    }
    if (fault?.kind === 'hang') {
      log.push(`${c.req.method} ${path} -> hang`);
      await hang(c.req.raw.signal);
      return c.text('', 504);
    }
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    const headers = new Headers(c.req.raw.headers);
    headers.delete('host');
    headers.delete('content-length');
    const res = await fetch(`${proxy.target}${path}${new URL(c.req.url).search}`, {
      method: c.req.method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await res.arrayBuffer();
    if (fault?.kind === 'hang-after') {
      // The provider did the work; its answer never comes back.
      log.push(`${c.req.method} ${path} -> ${res.status}, answer held`);
      await hang(c.req.raw.signal);
      return c.text('', 504);
    }
    log.push(`${c.req.method} ${path} -> ${res.status}`);
    const out = new Headers(res.headers);
    out.delete('content-length');
    out.delete('content-encoding');
    out.delete('transfer-encoding');
    return new Response(text, { status: res.status, headers: out });
  });
  const served = await serveApp(app);
  return Object.assign(proxy, {
    url: served.url,
    async close() {
      for (const release of [...hanging]) release();
      await served.close();
    },
  });
}
