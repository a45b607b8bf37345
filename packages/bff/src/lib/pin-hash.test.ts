// The keyed PIN hash: format, per-user salt, constant-time verification, rotation and the scrypt upgrade.
import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin, type PinKeys } from './pin-hash.ts';
import { hashSecret } from './secrets.ts';

const K1 = 'a'.repeat(32);
const K2 = 'b'.repeat(32);
const current: PinKeys = {
  keyId: 'k2',
  keys: new Map([
    ['k1', K1],
    ['k2', K2],
  ]),
};
const old: PinKeys = { keyId: 'k1', keys: new Map([['k1', K1]]) };

describe('keyed PIN hash', () => {
  it('stores hmac$<keyId>$<salt>$<mac> under the current key, salted per hash', () => {
    const a = hashPin(current, '123456');
    const b = hashPin(current, '123456');
    expect(a).toMatch(/^hmac\$k2\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('123456');
  });

  it('verifies the right PIN only, and asks for no upgrade under the current key', async () => {
    const stored = hashPin(current, '123456');
    expect(await verifyPin(current, '123456', stored)).toEqual({ ok: true, upgrade: false });
    expect(await verifyPin(current, '123457', stored)).toEqual({ ok: false, upgrade: false });
  });

  it('depends on the key: the same salt and PIN under another key does not verify', async () => {
    const salt = Buffer.alloc(16, 7);
    const stored = hashPin(current, '123456', salt);
    const forged = hashPin({ keyId: 'k2', keys: new Map([['k2', 'c'.repeat(32)]]) }, '123456', salt);
    expect(forged).not.toBe(stored);
    expect((await verifyPin(current, '123456', forged)).ok).toBe(false);
  });

  it('still verifies a hash under an older listed key and asks to upgrade it', async () => {
    const stored = hashPin(old, '123456');
    expect(await verifyPin(current, '123456', stored)).toEqual({ ok: true, upgrade: true });
    expect(await verifyPin(current, '000000', stored)).toEqual({ ok: false, upgrade: false });
  });

  it('refuses to guess when the hash names a key no longer configured', async () => {
    const stored = hashPin(current, '123456');
    await expect(verifyPin(old, '123456', stored)).rejects.toThrow(/PIN key k2/);
  });

  it('verifies a legacy scrypt hash and asks to upgrade it', async () => {
    const stored = await hashSecret('123456');
    expect(await verifyPin(current, '123456', stored)).toEqual({ ok: true, upgrade: true });
    expect(await verifyPin(current, '654321', stored)).toEqual({ ok: false, upgrade: false });
  });

  it('answers false for malformed hashes and truncated macs', async () => {
    const stored = hashPin(current, '123456');
    for (const bad of ['', 'hmac', 'hmac$k2$$', `${stored}$x`, stored.slice(0, -4), 'bcrypt$x$y$z']) {
      expect((await verifyPin(current, '123456', bad)).ok).toBe(false);
    }
  });
});
