// Payment-PIN hashing: HMAC-SHA256 under a server-side, versioned PIN key. A 6-digit PIN has 10⁶ values, so what
// protects it is the attempt limit and a key the database does not hold, not a slow hash; legacy scrypt hashes
// still verify and are reported for upgrade.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifySecret } from './secrets.ts';

/** The PIN keys from config: new hashes use `keyId`; every key in `keys` still verifies (rotation). */
export interface PinKeys {
  keyId: string;
  keys: ReadonlyMap<string, string>;
}

/** What checking a PIN against its stored hash found; `upgrade` asks to store {@link hashPin}'s output instead. */
export interface PinCheck {
  ok: boolean;
  upgrade: boolean;
}

function mac(key: string, salt: string, pin: string): Buffer {
  // Domain-separated, with the user's salt in the message: the same PIN under the same key differs per user.
  return createHmac('sha256', key).update(`zf:pin:v1$${salt}$${pin}`).digest();
}

/** `hmac$<keyId>$<salt>$<mac>` (base64url) under the current key; never store a PIN otherwise. */
export function hashPin(keys: PinKeys, pin: string, salt: Buffer = randomBytes(16)): string {
  const key = keys.keys.get(keys.keyId);
  if (key === undefined) throw new Error(`PIN key ${keys.keyId} is not configured`);
  const s = salt.toString('base64url');
  return `hmac$${keys.keyId}$${s}$${mac(key, s, pin).toString('base64url')}`;
}

/**
 * Checks a PIN against {@link hashPin}'s output (constant-time) or a legacy `scrypt$…` hash. A correct PIN under an
 * old key or scrypt comes back with `upgrade`. Throws when the hash names a key that is no longer configured: that is
 * a configuration error (a key retired too early), not a wrong PIN.
 */
export async function verifyPin(keys: PinKeys, pin: string, stored: string): Promise<PinCheck> {
  if (stored.startsWith('scrypt$')) {
    const ok = await verifySecret(pin, stored);
    return { ok, upgrade: ok };
  }
  const [scheme, keyId, salt, given, ...rest] = stored.split('$');
  if (scheme !== 'hmac' || !keyId || !salt || !given || rest.length) return { ok: false, upgrade: false };
  const key = keys.keys.get(keyId);
  if (key === undefined) throw new Error(`stored PIN hash uses PIN key ${keyId}, which is not in PIN_KEYS`);
  const expected = mac(key, salt, pin);
  const actual = Buffer.from(given, 'base64url');
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  return { ok, upgrade: ok && keyId !== keys.keyId };
}
