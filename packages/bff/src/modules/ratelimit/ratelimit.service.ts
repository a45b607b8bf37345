// Abuse limits (issue 12, SPEC §8): fixed-window counters in the database, so they hold across every instance.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.ts';
import type { RateLimitName } from '../../env.ts';
import { clientIp } from '../../http/client-ip.ts';
import { DomainError } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { deleteExpiredBuckets, hitBuckets } from './ratelimit.repository.ts';

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

/** One hit to count: a key (any text), its limit and window. */
export interface Hit {
  key: string;
  limit: number;
  windowMs: number;
}

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
  return (await rateLimitAll(deps, [{ key, limit, windowMs }]))[0]!;
}

/**
 * Counts one hit of each (distinct) key at once — one statement on SQLite, one autocommit upsert per key on
 * MySQL/MariaDB (each answers its own count) — and answers each as {@link rateLimit} would. All are counted, refused or not.
 */
export async function rateLimitAll(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, hits: Hit[]): Promise<RateLimitResult[]> {
  const now = deps.clock.now();
  const windows = hits.map((h) => {
    const start = Math.floor(now / h.windowMs) * h.windowMs;
    const subject = h.key.length > MAX_KEY ? `h:${createHash('sha256').update(h.key).digest('base64url')}` : h.key;
    return { bucket: `${subject}|${start}`, expiresAt: start + h.windowMs };
  });
  const counts = await hitBuckets(deps.db, deps.dialect, windows);
  return hits.map((h, i) => ({
    allowed: counts[i]! <= h.limit,
    count: counts[i]!,
    limit: h.limit,
    retryAfterMs: windows[i]!.expiresAt - now,
  }));
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
  return enforceLimits(deps, [[name, subject]]);
}

/** Counts one hit against each configured limit at once; throws ZF0120 for the first one past its limit. */
export async function enforceLimits(deps: Deps, limits: Array<[RateLimitName, string]>): Promise<void> {
  const rules = limits.map(([name, subject]) => ({ name, rule: deps.config.rateLimits[name], subject }));
  const results = await rateLimitAll(
    deps,
    rules.map((r) => ({ key: `${r.name}:${r.subject}`, limit: r.rule.limit, windowMs: r.rule.windowMs })),
  );
  const refused = results.findIndex((r) => !r.allowed);
  if (refused < 0) return;
  const { name, rule } = rules[refused]!;
  deps.logger.warn({ limit: name, count: results[refused]!.count, max: rule.limit }, 'rate limit reached');
  throw new RateLimited(name, results[refused]!.retryAfterMs);
}

/**
 * A Hono middleware factory: counts each request under `subject(c)` (null: not counted) against a configured limit;
 * past it answers ZF0120 (429) with `Retry-After`, before the handler runs.
 */
export const rateLimitBy = (deps: Deps, name: RateLimitName, subject: (c: Context) => string | null): MiddlewareHandler =>
  rateLimitAllBy(deps, [[name, subject]]);

/** {@link rateLimitBy} for several limits, counted together in one statement (the pay endpoints: per IP and per user). */
export const rateLimitAllBy = (deps: Deps, limits: Array<[RateLimitName, (c: Context) => string | null]>): MiddlewareHandler =>
  async function rateLimitMiddleware(c, next) {
    const counted = limits.flatMap(([name, subject]): Array<[RateLimitName, string]> => {
      const s = subject(c);
      return s === null ? [] : [[name, s]];
    });
    if (counted.length) {
      try {
        await enforceLimits(deps, counted);
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

const ipOf = (deps: Deps, scope: string) => (c: Context) => `${scope}${clientIp(c, deps.config.trustProxyHops)}`;
const userOf = (c: Context) => (c.get('session') as Session | undefined)?.userId ?? null;

/**
 * Per client IP (socket address; X-Forwarded-For only behind TRUST_PROXY_HOPS trusted proxies); `scope` keeps one
 * configured limit's counters apart per endpoint (each provider's notify has its own).
 */
export const limitPerIp = (deps: Deps, name: RateLimitName, scope = ''): MiddlewareHandler => rateLimitBy(deps, name, ipOf(deps, scope));

/** Per session user (after `requireSession`). */
export const limitPerUser = (deps: Deps, name: RateLimitName): MiddlewareHandler => rateLimitBy(deps, name, userOf);

/** PIN tries (the pay endpoints, after `requireSession`): per client IP and per user, counted in one statement. */
export const limitPinTries = (deps: Deps): MiddlewareHandler =>
  rateLimitAllBy(deps, [
    ['pin_per_ip', ipOf(deps, '')],
    ['pin_per_user', userOf],
  ]);

/** Per session: the (partner, claim, refer_no) a verified link granted (tokens are stateless, so re-entering counts the same). */
export const limitPerSession = (deps: Deps, name: RateLimitName): MiddlewareHandler =>
  rateLimitBy(deps, name, (c) => {
    const s = c.get('session') as Session | undefined;
    return s ? `${s.partnerId}:${s.claimNo}:${s.referNo}` : null;
  });
