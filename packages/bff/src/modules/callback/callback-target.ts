// Where partner callbacks may go: the partner's allow-list, port included, and never back to this service itself.
import type { Config } from '../../env.ts';

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]'];

/**
 * True when a callback URL may be called: http/https, no credentials, host on the partner's allow-list and not one of
 * `own` (`host:port` of this service). Allow-list entries are `host` (the scheme's default port only — what a partner
 * means by `partner.example.com`), `host:port` (that port), or `host:*` (any port; the dev demo partner).
 */
export function isCallbackAllowed(url: string, allowedHosts: readonly string[], own: readonly string[] = []): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const defaultPort = DEFAULT_PORT[parsed.protocol];
  if (!defaultPort) return false;
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  const port = parsed.port || defaultPort;
  if (own.includes(`${host}:${port}`)) return false;
  return allowedHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    const m = /^(.+):(\d{1,5}|\*)$/.exec(e);
    if (!m) return e === host && port === defaultPort;
    return m[1] === host && (m[2] === '*' || Number(m[2]) === Number(port));
  });
}

/**
 * `host:port` pairs that reach this service: its public base URL, and every loopback name on the port it listens on
 * (a partner callback `http://127.0.0.1:<our port>/api/…` would make us POST to ourselves).
 */
export function ownEndpoints(config: Pick<Config, 'publicBaseUrl' | 'port' | 'host'>): string[] {
  const out = new Set<string>();
  try {
    const base = new URL(config.publicBaseUrl);
    out.add(`${base.hostname.toLowerCase()}:${base.port || DEFAULT_PORT[base.protocol] || ''}`);
    if (LOOPBACK.includes(base.hostname.toLowerCase()) && base.port) for (const h of LOOPBACK) out.add(`${h}:${base.port}`);
  } catch {
    // env.ts validated the URL; nothing to add otherwise.
  }
  for (const h of [...LOOPBACK, config.host.toLowerCase()]) out.add(`${h}:${config.port}`);
  return [...out];
}
