// The verified-token cache of readSession: a hit needs the very token under the very secret, and expiry still counts.
import { describe, expect, it } from 'vitest';
import type { Deps } from '../deps.ts';
import { DomainError } from './errors.ts';
import { readSession, signSession, type Session } from './session-token.ts';

const session: Session = {
  partnerId: 'P1',
  claimNo: 'C1',
  referNo: 'R1',
  userId: 'U1',
  amountFen: 100,
  callbackUrl: 'https://partner.example/cb',
  exp: 10_000,
};
const depsAt = (now: number, secret: string) => ({ config: { session: { secret } }, clock: { now: () => now } }) as unknown as Deps;
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
};

describe('readSession (verified tokens cached)', () => {
  it('answers a verified token again, and still refuses it once expired, under another secret, or altered', () => {
    const secret = 's'.repeat(32);
    const token = signSession(session, secret);
    expect(readSession(depsAt(1_000, secret), token)).toEqual(session);
    expect(readSession(depsAt(2_000, secret), token)).toEqual(session);
    expect(code(() => readSession(depsAt(10_000, secret), token))).toBe('ZF0020');
    expect(code(() => readSession(depsAt(1_000, 't'.repeat(32)), token))).toBe('ZF0020');
    const [body, mac] = token.split('.') as [string, string];
    const forged = signSession({ ...session, amountFen: 1 }, 'x'.repeat(32)).split('.')[0]!;
    expect(code(() => readSession(depsAt(1_000, secret), `${forged}.${mac}`))).toBe('ZF0020');
    expect(code(() => readSession(depsAt(1_000, secret), `${body}.${mac.slice(0, -2)}AA`))).toBe('ZF0020');
    expect(code(() => readSession(depsAt(1_000, secret), `${body}x.${mac}`))).toBe('ZF0020');
    expect(code(() => readSession(depsAt(1_000, secret), undefined))).toBe('ZF0020');
  });
});
