// The Guanaitong signature rule (PROVIDERS.md): one implementation shared by the client, the notify/return verifiers
// and the simulator, so both sides of every test agree only when the rule itself is right.
import { createHash, timingSafeEqual } from 'node:crypto';

/** A request, notify or return parameter as it may reach the signer; null, undefined and blank values are dropped. */
export type SignableValue = string | number | null | undefined;

/** The parameters of one request (public and business together), notify or return redirect. */
export type SignableParams = Readonly<Record<string, SignableValue>>;

const SIGN_PATTERN = /^[0-9a-f]{40}$/;

/**
 * The exact string that is hashed: `appsecret` added, `sign` dropped, keys and values trimmed, empty values dropped,
 * keys sorted ascending (code-unit order, which is byte order for the ASCII keys the API uses), joined as
 * `key=value` with `&`. Values are raw: URL-encoding happens only after signing, JSON is signed as its text.
 */
export function signingString(params: SignableParams, appsecret: string): string {
  const entries = new Map<string, string>();
  for (const [rawKey, rawValue] of Object.entries(params)) {
    if (rawValue === null || rawValue === undefined) continue;
    const key = rawKey.trim();
    const value = String(rawValue).trim();
    if (key === '' || key === 'sign' || key === 'appsecret' || value === '') continue;
    entries.set(key, value);
  }
  entries.set('appsecret', appsecret.trim());
  return [...entries.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${entries.get(key) ?? ''}`)
    .join('&');
}

/** `sign` for a parameter set: SHA1 over the UTF-8 signing string, 40 lowercase hex characters. */
export function signParams(params: SignableParams, appsecret: string): string {
  return createHash('sha1').update(signingString(params, appsecret), 'utf8').digest('hex');
}

/**
 * True when `params.sign` is the signature of the other parameters. Compared in constant time; an upper-case
 * hex signature is accepted (the digest is the same bytes), anything that is not 40 hex characters is not.
 */
export function verifySignedParams(params: SignableParams, appsecret: string): boolean {
  const given = params.sign;
  if (typeof given !== 'string') return false;
  const normalized = given.trim().toLowerCase();
  if (!SIGN_PATTERN.test(normalized)) return false;
  const expected = signParams(params, appsecret);
  return timingSafeEqual(Buffer.from(normalized, 'ascii'), Buffer.from(expected, 'ascii'));
}
