// Deep-link verification (SPEC §3.1, §9) and user sessions bound to (partner, claim_no, refer_no).
import { LinkParams, parsePositiveYuan, type EntryNext, type SessionResponse } from '@zf/shared';
import { verifyLinkSignature } from '@zf/shared/partner';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { readToken, signToken } from '../../lib/secrets.ts';
import { isCallbackAllowed } from '../callback/callback.service.ts';
import { orderIsExpired } from '../order/order.repository.ts';

/** What a verified link grants: the user may see and pay only orders of this partner + refer_no. */
export interface Session {
  partnerId: string;
  claimNo: string;
  referNo: string;
  userId: string;
  amountFen: number;
  callbackUrl: string;
  /** Expiry, Unix ms. */
  exp: number;
}

interface TokenPayload {
  p: string;
  c: string;
  r: string;
  u: string;
  a: number;
  cb: string;
  exp: number;
}

/** Verifies a deep link and opens a session; tells the H5 where to go (policy list, cashier, result). */
export async function openSession(deps: Deps, raw: Record<string, string>): Promise<SessionResponse> {
  const { db, clock, config } = deps;
  const parsed = LinkParams.safeParse(raw);
  if (!parsed.success) {
    // A missing/bad signature or timestamp is a link problem (ZF0020); anything else a parameter problem.
    const paths = parsed.error.issues.map((i) => String(i.path[0]));
    return fail(paths.every((p) => p === 'sign' || p === 'timestamp' || p === 'partner_id') ? 'ZF0020' : 'ZF0010', 'link parameters');
  }
  const params = parsed.data;
  const partner = await db.selectFrom('partners').selectAll().where('id', '=', params.partner_id).executeTakeFirst();
  if (!partner) return fail('ZF0020', 'unknown partner');
  if (!verifyLinkSignature(raw, partner.link_secret)) return fail('ZF0020', 'bad signature');
  const now = clock.now();
  if (Math.abs(now - Number(params.timestamp) * 1000) > config.session.linkToleranceMs) return fail('ZF0020', 'link expired');
  if (!isCallbackAllowed(params.callback, JSON.parse(partner.callback_hosts) as string[])) return fail('ZF0030');
  const amountFen = parsePositiveYuan(params.amout ?? params.amount ?? '');
  if (amountFen === null) return fail('ZF0010', 'amount');

  const claim = await db
    .selectFrom('claims')
    .innerJoin('users', 'users.id', 'claims.user_id')
    .select(['claims.user_id', 'users.name'])
    .where('claims.claim_no', '=', params.claim_no)
    .executeTakeFirst();
  if (!claim) return fail('ZF0040', 'unknown claim');

  const next = await resolveEntry(deps, params.partner_id, params.refer_no, params.order_no || undefined);
  const exp = now + config.session.ttlMs;
  const payload: TokenPayload = { p: partner.id, c: params.claim_no, r: params.refer_no, u: claim.user_id, a: amountFen, cb: params.callback, exp };
  return {
    token: signToken(payload, config.session.secret),
    expires_at: new Date(exp).toISOString(),
    partner_id: partner.id,
    claim_no: params.claim_no,
    refer_no: params.refer_no,
    amount_fen: amountFen,
    user_name: claim.name,
    next,
  };
}

/** SPEC §3.2: resume the live order of (partner, refer_no) instead of creating a second one. */
async function resolveEntry(deps: Deps, partnerId: string, referNo: string, orderNo: string | undefined): Promise<EntryNext> {
  const { db, clock } = deps;
  const order = orderNo
    ? await db.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirst()
    : await db.selectFrom('orders').selectAll().where('partner_id', '=', partnerId).where('active_ref', '=', referNo).executeTakeFirst();
  if (orderNo && (!order || order.partner_id !== partnerId || order.refer_no !== referNo)) return fail('ZF0060', 'order of the link not found');
  if (!order) return { page: 'policies' };
  if (order.status === 'open' && !orderIsExpired(order, clock.now())) return { page: 'cashier', order_no: order.order_no };
  if (order.status === 'open' || order.status === 'closed') {
    // An order closed (or just expired) for this refer_no: a link without order_no may start a new one.
    return orderNo ? { page: 'result', order_no: order.order_no } : { page: 'policies' };
  }
  return { page: 'result', order_no: order.order_no };
}

/** Where a resumed session should go now (the H5 reuses a stored session on refresh and back). */
export function entryForSession(deps: Deps, session: Session): Promise<EntryNext> {
  return resolveEntry(deps, session.partnerId, session.referNo, undefined);
}

/** Reads a bearer token into a Session; ZF0020 when missing, tampered or expired. */
export function readSession(deps: Deps, token: string | undefined): Session {
  const payload = token ? readToken<TokenPayload>(token, deps.config.session.secret) : null;
  if (!payload || payload.exp <= deps.clock.now()) return fail('ZF0020', 'session');
  return { partnerId: payload.p, claimNo: payload.c, referNo: payload.r, userId: payload.u, amountFen: payload.a, callbackUrl: payload.cb, exp: payload.exp };
}
