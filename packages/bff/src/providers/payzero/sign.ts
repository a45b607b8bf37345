// Payzero's two cryptographic rules, by hand on node:crypto: the SHA1 notify signature (§3.2) and the HS256 JWT of
// `/auth/login` (§1). One implementation for the client, the notify verifier and the simulator.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SIGN_PATTERN = /^[0-9a-fA-F]{40}$/;

/**
 * The notify signature: SHA1 (lowercase hex) over `signToken`, `timestamp` and `msgBody` sorted in dictionary order
 * and concatenated (§3.2). The doc's Java SDK sorts with `Arrays.sort(String[])`, i.e. by UTF-16 code units, which is
 * exactly JavaScript's default `sort()` (not `localeCompare`), and hashes the UTF-8 bytes.
 */
export function payzeroNotifySign(signToken: string, timestamp: string, msgBody: string): string {
  const parts = [signToken, timestamp, msgBody].sort();
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** True when `sign` is the notify signature of the other two values; constant time, case-insensitive (as the SDK). */
export function verifyPayzeroNotifySign(signToken: string, timestamp: string, msgBody: string, sign: string): boolean {
  if (!SIGN_PATTERN.test(sign)) return false;
  const expected = Buffer.from(payzeroNotifySign(signToken, timestamp, msgBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(sign.toLowerCase(), 'hex'));
}

/** The claims of a Payzero token (the doc's example token carries exactly these). */
export interface PayzeroJwtClaims {
  sub: string;
  roles: string[];
  /** Issued at, Unix seconds. */
  iat: number;
  /** Expiry, Unix seconds. */
  exp: number;
}

// The doc's example token has the header {"alg":"HS256"} (no "typ"); we issue the same bytes.
const JWT_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');

function hmac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input, 'utf8').digest();
}

/** Issues an HS256 JWT. */
export function signJwtHs256(claims: PayzeroJwtClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${JWT_HEADER}.${payload}`;
  return `${input}.${hmac(secret, input).toString('base64url')}`;
}

/** Why a token was refused. */
export type JwtRejection = 'malformed' | 'bad_signature' | 'expired';

/** Checks an HS256 JWT's signature and expiry (`exp` must be after `nowMs`). */
export function verifyJwtHs256(
  token: string,
  secret: string,
  nowMs: number,
): { ok: true; claims: PayzeroJwtClaims } | { ok: false; reason: JwtRejection } {
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    return { ok: false, reason: 'malformed' };
  }
  const headerJson = parseJson(Buffer.from(header, 'base64url').toString('utf8'));
  if (!isRecord(headerJson) || headerJson.alg !== 'HS256') return { ok: false, reason: 'malformed' };
  const given = Buffer.from(signature, 'base64url');
  const expected = hmac(secret, `${header}.${payload}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  const claims = decodeJwtClaims(token);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * Reads the claims WITHOUT checking the signature: the client does not hold Payzero's key and only needs `exp` to
 * schedule renewal. Null when the token is not a JWT with numeric `iat`/`exp`.
 */
export function decodeJwtClaims(token: string): PayzeroJwtClaims | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  const json = parseJson(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!isRecord(json) || typeof json.exp !== 'number' || typeof json.iat !== 'number') return null;
  const roles = Array.isArray(json.roles) ? json.roles.filter((r): r is string => typeof r === 'string') : [];
  return { sub: typeof json.sub === 'string' ? json.sub : '', roles, iat: json.iat, exp: json.exp };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the callers treat `undefined` as a malformed token.
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
