// The partner contract of SPEC §9: signing a deep link, and signing/verifying a Standard Webhooks callback.
// Node only (node:crypto); partners copy these helpers, the BFF uses the same ones.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The canonical string of a deep link: non-empty params except `sign`, sorted by name (byte order), `name=value` joined by `&`. */
export function canonicalLinkString(params: Record<string, string | undefined>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))))
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
export function buildSignedLink(walletUrl: string, params: Record<string, string>, linkSecret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
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
export function webhookHeaders(secret: string | readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
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
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) ?? undefined : headers[name]);
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
