// Test support: signed requests to the partner server API, through the app in process or over real HTTP.
import { partnerRequestHeaders } from '@zf/shared/partner';
import { DEMO } from '../src/modules/demo/demo.seed.ts';

export interface PartnerCallOptions {
  partnerId?: string;
  secret?: string;
  /** Unix seconds the request claims (default: `nowMs`). */
  timestamp?: number;
  nonce?: string;
  /** Leave the signature headers out. */
  unsigned?: boolean;
  /** Change the body after signing (a tampered request). */
  tamper?: (body: string) => string;
}

/** A fetch-like target: `app.request` or a base URL over real HTTP. */
export type PartnerTarget = { request(path: string, init: RequestInit): Response | Promise<Response> } | string;

let nonceSeq = 0;

/** A signed JSON call; answers the status and the parsed body. */
export async function partnerCall(
  target: PartnerTarget,
  nowMs: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  opts: PartnerCallOptions = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
): Promise<{ status: number; body: any }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const nonce = opts.nonce ?? `test-nonce-${process.pid}-${++nonceSeq}-${Math.random().toString(36).slice(2, 10)}`;
  const signed = partnerRequestHeaders(
    opts.partnerId ?? DEMO.partnerId,
    opts.secret ?? DEMO.apiSecret,
    { method, path, body: text },
    opts.timestamp ?? Math.floor(nowMs / 1000),
    nonce,
  );
  const headers: Record<string, string> = opts.unsigned ? {} : { ...signed };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers, body: body === undefined ? undefined : (opts.tamper?.(text) ?? text) };
  const res = typeof target === 'string' ? await fetch(`${target}${path}`, init) : await target.request(path, init);
  const answer = await res.text();
  return { status: res.status, body: answer ? JSON.parse(answer) : null };
}
