// Authentication of the partner's server API: an HMAC-SHA256 signature with the partner's API secret over method,
// path (with query), timestamp, nonce and body; the timestamp within ±5 min; each nonce accepted once (kept 10 min).
import { PARTNER_API_HEADERS, verifyPartnerRequest } from '@zf/shared/partner';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.ts';
import { DomainError } from '../../http/errors.ts';
import type { AppEnv } from '../../http/middleware.ts';
import { useNonce } from '../refund/refund.repository.ts';
import { findPartner } from '../session/session.repository.ts';

/** How far a request's timestamp may be from our clock. */
export const PARTNER_API_TOLERANCE_SEC = 300;
/** A nonce is remembered this long (longer than the tolerance either side, so a replay inside it is always caught). */
export const PARTNER_NONCE_TTL_MS = 2 * PARTNER_API_TOLERANCE_SEC * 1000;

export type PartnerEnv = AppEnv & { Variables: AppEnv['Variables'] & { partnerId: string } };

/** Verifies the request and sets `partnerId`; ZF0220 unsigned / bad signature / unknown partner, ZF0221 stale, ZF0222 replay. */
export const requirePartnerSignature = (deps: Deps): MiddlewareHandler<PartnerEnv> =>
  async function partnerSignature(c, next) {
    const partnerId = c.req.header(PARTNER_API_HEADERS.partnerId) ?? '';
    const timestamp = c.req.header(PARTNER_API_HEADERS.timestamp) ?? '';
    const nonce = c.req.header(PARTNER_API_HEADERS.nonce) ?? '';
    const signature = c.req.header(PARTNER_API_HEADERS.signature) ?? '';
    if (!partnerId || !/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !signature)
      throw new DomainError('ZF0220', 'missing or malformed signature headers');
    const partner = await findPartner(deps.db, partnerId);
    if (!partner?.api_secret) throw new DomainError('ZF0220', 'unknown partner or no API secret');
    const url = new URL(c.req.url);
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
    const parts = { method: c.req.method, path: `${url.pathname}${url.search}`, timestamp, nonce, body };
    const now = deps.clock.now();
    // The secret replaced by the last rotation is accepted until its overlap window ends (the console's rotation).
    const previous = partner.prev_api_secret && Number(partner.prev_api_secret_until) > now ? partner.prev_api_secret : null;
    const verified =
      verifyPartnerRequest(parts, partner.api_secret, signature) || (previous !== null && verifyPartnerRequest(parts, previous, signature));
    if (!verified) throw new DomainError('ZF0220', 'signature mismatch');
    if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > PARTNER_API_TOLERANCE_SEC) throw new DomainError('ZF0221');
    if (!(await useNonce(deps.db, partnerId, nonce, now, PARTNER_NONCE_TTL_MS))) throw new DomainError('ZF0222');
    c.set('partnerId', partnerId);
    await next();
  };
