// Admin sign-in: scrypt-hashed passwords, opaque server-side session tokens (only their SHA-256 is stored), expiry
// (absolute and idle), logout, and sign-in attempts limited per username and per IP by the abuse-limit counters in the
// database (modules/ratelimit, RATE_LIMIT_ADMIN_SIGNIN_PER_USER / _PER_IP, ZF0120), so several instances share them. Admin tokens carry the `zfa_` prefix and are never HMAC session tokens, so neither
// kind of token can pass for the other.
import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { hashSecret, verifySecret } from '../../lib/secrets.ts';
import { enforceLimit } from '../ratelimit/ratelimit.service.ts';
import { findAdmin, findLiveSession, insertSession, revokeSession, touchSession } from './admin.repository.ts';
import type { AdminRole } from './admin.table.ts';

export const ADMIN_TOKEN_PREFIX = 'zfa_';

/** Who does an admin action: written into every audit row. */
export interface AdminActor {
  username: string;
  role: AdminRole;
  requestId: string;
  tokenHash: string;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// A fixed hash to verify against when the user does not exist, so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | null = null;

/**
 * Signs in; ZF0120 past RATE_LIMIT_ADMIN_SIGNIN_PER_USER or _PER_IP (every attempt counts, right or wrong, and is
 * counted atomically BEFORE the password is checked, so parallel guesses cannot all be tried), ZF0262 for a wrong
 * username or password.
 */
export async function signIn(
  deps: Deps,
  username: string,
  password: string,
  ip: string,
): Promise<{ token: string; username: string; role: AdminRole; expiresAt: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  await enforceLimit(deps, 'admin_signin_per_ip', ip);
  await enforceLimit(deps, 'admin_signin_per_user', username.toLowerCase());

  const admin = await findAdmin(db, username);
  dummyHash ??= hashSecret('not-a-password');
  const ok = admin ? await verifySecret(password, admin.password_hash) : (await verifySecret(password, await dummyHash), false);
  const usable = ok && admin !== undefined && admin.disabled_at === null && !(admin.is_demo && deps.config.env === 'production');
  if (!usable || !admin) return fail('ZF0262');

  const token = `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = now + deps.config.admin.sessionTtlMs;
  await insertSession(db, { tokenHash: hashToken(token), username: admin.username, now, expiresAt });
  return { token, username: admin.username, role: admin.role, expiresAt };
}

/** The actor behind an admin token; ZF0160 when missing, unknown, revoked, expired or idle too long. */
export async function authenticate(deps: Deps, token: string | undefined, requestId: string): Promise<AdminActor> {
  if (!token || !token.startsWith(ADMIN_TOKEN_PREFIX) || token.length > 128) return fail('ZF0160', 'no admin token');
  const now = deps.clock.now();
  const tokenHash = hashToken(token);
  const session = await findLiveSession(deps.db, tokenHash, now, deps.config.admin.idleMs);
  if (!session) return fail('ZF0160', 'admin session not live');
  // Sliding idle timeout; a write at most once a minute per session.
  if (now - Number(session.last_seen_at) > 60_000) await touchSession(deps.db, tokenHash, now);
  return { username: session.username, role: session.role, requestId, tokenHash };
}

export async function signOut(deps: Deps, actor: AdminActor): Promise<void> {
  await revokeSession(deps.db, actor.tokenHash, deps.clock.now());
}
