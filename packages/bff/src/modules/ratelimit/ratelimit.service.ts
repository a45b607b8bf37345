// Abuse limits (issue 12, SPEC §8): fixed-window counters in the database, so they hold across every instance.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { RateLimitName, RateLimitRule } from '../../env.ts';
import { clientIp } from '../../http/client-ip.ts';
import { DomainError } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { deleteExpiredBuckets, hitBucket } from './ratelimit.repository.ts';

export interface RateLimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  limit: number;
  /** Until the window ends, ms. */
  retryAfterMs: number;
}

/** Keys longer than this are hashed (the bucket column is varchar(191)). */
const MAX_KEY = 120;

/**
 * Counts one hit of `key` in the current fixed window of `windowMs` and says whether it is within `limit`.
 * Reusable by any module (admin sign-in per user and per IP, say): `rateLimit(deps, 'admin:user:alice', 10, 900_000)`.
 * Every hit counts, refused ones too, so hammering does not reopen the window early.
 */
export async function rateLimit(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock'>,
  key: string,
  limit: number,
  windowMs: number,
): Promise<RateLimitResult> {
  const now = deps.clock.now();
  const start = Math.floor(now / windowMs) * windowMs;
  const subject = key.length > MAX_KEY ? `h:${createHash('sha256').update(key).digest('base64url')}` : key;
  const count = await inTransaction(deps.db, (trx) => hitBucket(trx, deps.dialect, `${subject}|${start}`, start + windowMs));
  return { allowed: count <= limit, count, limit, retryAfterMs: start + windowMs - now };
}

/** The ZF0120 refusal, with when to come back. */
export class RateLimited extends DomainError {
  constructor(
    readonly limitName: string,
    readonly retryAfterMs: number,
  ) {
    super('ZF0120', `rate limit ${limitName}`);
  }
}

/** Counts a hit against a configured limit (env.ts `RATE_LIMIT_*`) and throws ZF0120 past it. */
export async function enforceLimit(deps: Deps, name: RateLimitName, subject: string): Promise<void> {
  const rule: RateLimitRule = deps.config.rateLimits[name];
  const res = await rateLimit(deps, `${name}:${subject}`, rule.limit, rule.windowMs);
  if (!res.allowed) {
    deps.logger.warn({ limit: name, count: res.count, max: rule.limit }, 'rate limit reached');
    throw new RateLimited(name, res.retryAfterMs);
  }
}

/**
 * A Hono middleware factory: counts each request under `subject(c)` (null: not counted) against a configured limit;
 * past it answers ZF0120 (429) with `Retry-After`, before the handler runs.
 */
export const rateLimitBy = (deps: Deps, name: RateLimitName, subject: (c: Context) => string | null): MiddlewareHandler =>
  async function rateLimitMiddleware(c, next) {
    const s = subject(c);
    if (s !== null) {
      try {
        await enforceLimit(deps, name, s);
      } catch (err) {
        if (err instanceof RateLimited) c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
        throw err;
      }
    }
    await next();
  };

/** The cleanup job: deletes counters whose window ended. */
export function deleteExpiredRateLimits(deps: Deps, limit = 1000): Promise<number> {
  return deleteExpiredBuckets(deps.db, deps.clock.now(), limit);
}

/**
 * Per client IP (socket address; X-Forwarded-For only behind TRUST_PROXY_HOPS trusted proxies); `scope` keeps one
 * configured limit's counters apart per endpoint (each provider's notify has its own).
 */
export const limitPerIp = (deps: Deps, name: RateLimitName, scope = ''): MiddlewareHandler =>
  rateLimitBy(deps, name, (c) => `${scope}${clientIp(c, deps.config.trustProxyHops)}`);

/** Per session user (after `requireSession`). */
export const limitPerUser = (deps: Deps, name: RateLimitName): MiddlewareHandler =>
  rateLimitBy(deps, name, (c) => (c.get('session') as Session | undefined)?.userId ?? null);

/** Per session: the (partner, claim, refer_no) a verified link granted (tokens are stateless, so re-entering counts the same). */
export const limitPerSession = (deps: Deps, name: RateLimitName): MiddlewareHandler =>
  rateLimitBy(deps, name, (c) => {
    const s = c.get('session') as Session | undefined;
    return s ? `${s.partnerId}:${s.claimNo}:${s.referNo}` : null;
  });
