// One callback POST. By default through node:http / node:https with keep-alive agents (a pool of sockets per partner
// host, reused across deliveries): the dispatcher's profile showed undici's fetch (web streams, AbortSignal.timeout,
// DOMException) taking most of its CPU. A fetch injected into Deps (tests, an embedding) is used as given.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Deps } from '../../deps.ts';

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
};

/** POSTs `body` to `url` (no redirects followed); resolves with the status code, rejects on a network error or timeout. */
export function postCallback(
  deps: Pick<Deps, 'fetch'>,
  url: string | URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  if (deps.fetch !== globalThis.fetch) return viaFetch(deps.fetch, String(url), headers, body, timeoutMs);
  const target = typeof url === 'string' ? new URL(url) : url;
  const https = target.protocol === 'https:';
  return new Promise<number>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    // The whole exchange is bounded too, not only socket inactivity.
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function viaFetch(f: typeof fetch, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const res = await f(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res.status;
}
