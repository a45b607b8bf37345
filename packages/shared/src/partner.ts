// The partner contract of SPEC §9: signing a deep link, and signing/verifying a Standard Webhooks callback.
// Node only (node:crypto); partners copy these helpers, the BFF uses the same ones.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The canonical string of a deep link: non-empty params except `sign`, sorted by name (byte order), `name=value` joined by `&`. */
export function canonicalLinkString(params: Record<string, string | undefined>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** `sign` of a deep link: lowercase hex HMAC-SHA256 of {@link canonicalLinkString} with the partner's link secret. */
export function signLinkParams(params: Record<string, string | undefined>, linkSecret: string): string {
  return createHmac('sha256', linkSecret).update(canonicalLinkString(params), 'utf8').digest('hex');
}

/** Constant-time check of a deep link's `sign`. */
export function verifyLinkSignature(params: Record<string, string | undefined>, linkSecret: string): boolean {
  const given = params.sign ?? '';
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = signLinkParams(params, linkSecret);
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

/**
 * Builds a signed deep link to the wallet's entry page.
 * @param walletUrl e.g. `https://wallet.example.com/wallet/index.html`
 * @param params `amout` (yuan), `refer_no`, `claim_no`, `callback`, optional `order_no`, and `partner_id`; `timestamp` is added when absent.
 */
export function buildSignedLink(
  walletUrl: string,
  params: Record<string, string>,
  linkSecret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const all: Record<string, string> = { timestamp: String(nowSeconds), ...params };
  const sign = signLinkParams(all, linkSecret);
  const query = new URLSearchParams({ ...all, sign }).toString();
  return `${walletUrl}#/pages/valid-policy/valid-policy?${query}`;
}

/** Decodes a `whsec_<base64>` secret into its key bytes. */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `webhook-signature` value: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers for one delivery. Several secrets (a rotation's overlap window) give several
 * space-separated signatures, so a receiver holding either secret verifies it.
 */
export function webhookHeaders(
  secret: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestampSeconds, body)).join(' '),
  };
}

export class WebhookVerificationError extends Error {}

/**
 * Verifies a callback the wallet sent (what a partner runs on receipt). Returns the parsed body.
 * @param headers the request headers (any casing is fine when given as a `Headers` object)
 * @param toleranceSeconds how far the timestamp may be from now (default 5 minutes)
 */
export function verifyWebhook<T = unknown>(
  secret: string,
  headers: Headers | Record<string, string | undefined>,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): T {
  const get = (name: string) => (headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name]);
  const id = get('webhook-id');
  const ts = Number(get('webhook-timestamp'));
  const signatures = get('webhook-signature');
  if (!id || !Number.isInteger(ts) || !signatures) throw new WebhookVerificationError('missing headers');
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) throw new WebhookVerificationError('timestamp out of tolerance');
  const expected = Buffer.from(signWebhook(secret, id, ts, body).slice(3), 'base64');
  const ok = signatures.split(' ').some((candidate) => {
    const [version, mac] = candidate.split(',');
    if (version !== 'v1' || !mac) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookVerificationError('signature mismatch');
  return JSON.parse(body) as T;
}

/** Headers of a signed partner server API request (`/api/partner/v1/*`). */
export const PARTNER_API_HEADERS = {
  partnerId: 'x-zf-partner-id',
  timestamp: 'x-zf-timestamp',
  nonce: 'x-zf-nonce',
  signature: 'x-zf-signature',
} as const;

/** What a partner API signature covers. `path` is the request path with its query string exactly as sent. */
export interface PartnerRequestParts {
  method: string;
  path: string;
  /** Unix seconds. */
  timestamp: number | string;
  /** 16–64 characters of `[A-Za-z0-9_-]`, never reused within 10 minutes. */
  nonce: string;
  /** The raw body ('' for GET). */
  body: string;
}

/** The signed string: `METHOD\npath?query\ntimestamp\nnonce\nbody` (method upper-case, UTF-8). */
export function canonicalPartnerRequest(parts: PartnerRequestParts): string {
  return `${parts.method.toUpperCase()}\n${parts.path}\n${parts.timestamp}\n${parts.nonce}\n${parts.body}`;
}

/** `x-zf-signature`: lowercase hex HMAC-SHA256 of {@link canonicalPartnerRequest} with the partner's API secret. */
export function signPartnerRequest(parts: PartnerRequestParts, apiSecret: string): string {
  return createHmac('sha256', apiSecret).update(canonicalPartnerRequest(parts), 'utf8').digest('hex');
}

/** Constant-time check of a partner API signature. */
export function verifyPartnerRequest(parts: PartnerRequestParts, apiSecret: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signature, 'hex'), Buffer.from(signPartnerRequest(parts, apiSecret), 'hex'));
}

/**
 * The four headers of a signed partner API request (what a partner's server sends).
 * @example
 * const body = JSON.stringify({ order_no, partner_refund_no: 'R-1', amount: '10.00', reason: '退药' });
 * fetch(`${base}/api/partner/v1/refunds`, { method: 'POST', body,
 *   headers: { 'content-type': 'application/json', ...partnerRequestHeaders('demo', secret, { method: 'POST', path: '/api/partner/v1/refunds', body }) } });
 */
export function partnerRequestHeaders(
  partnerId: string,
  apiSecret: string,
  request: { method: string; path: string; body?: string },
  nowSeconds = Math.floor(Date.now() / 1000),
  nonce = randomBytes(16).toString('hex'),
): Record<string, string> {
  const parts = { method: request.method, path: request.path, timestamp: nowSeconds, nonce, body: request.body ?? '' };
  return {
    [PARTNER_API_HEADERS.partnerId]: partnerId,
    [PARTNER_API_HEADERS.timestamp]: String(nowSeconds),
    [PARTNER_API_HEADERS.nonce]: nonce,
    [PARTNER_API_HEADERS.signature]: signPartnerRequest(parts, apiSecret),
  };
}
