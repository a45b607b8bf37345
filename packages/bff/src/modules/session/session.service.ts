// Deep-link verification (SPEC §3.1, §9) and user sessions bound to (partner, claim_no, refer_no).
import { LinkParams, parsePositiveYuan, type EntryNext, type SessionResponse } from '@zf/shared';
import { verifyLinkSignature } from '@zf/shared/partner';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { signSession, type Session } from '../../http/session-token.ts';
import { isCallbackAllowed, ownEndpoints } from '../callback/callback.service.ts';
import { findLiveOrder, findOrder } from '../order/order.repository.ts';
import { orderIsExpired, sameBill } from '../order/order.view.ts';
import { enforceLimit } from '../ratelimit/ratelimit.service.ts';
import { findClaim, findPartner } from './session.repository.ts';
import { linkSecrets } from './partner-secrets.ts';

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
  const partner = await findPartner(db, params.partner_id);
  if (!partner || partner.disabled_at !== null) return fail('ZF0020', 'unknown or disabled partner');
  const now = clock.now();
  // During a rotation's overlap window the replaced link secret still verifies.
  if (!linkSecrets(partner, now).some((secret) => verifyLinkSignature(raw, secret))) return fail('ZF0020', 'bad signature');
  // Counted once the link is the partner's own, so forged links cannot use up a partner's sessions.
  await enforceLimit(deps, 'session_per_partner', partner.id);
  if (Math.abs(now - Number(params.timestamp) * 1000) > config.session.linkToleranceMs) return fail('ZF0020', 'link expired');
  const allowedHosts = JSON.parse(partner.callback_hosts) as string[];
  if (!isCallbackAllowed(params.callback, allowedHosts, ownEndpoints(config))) return fail('ZF0030');
  // The way back to the partner app is held to the same allow-list: never an open redirect.
  if (params.return_url && !isCallbackAllowed(params.return_url, allowedHosts)) return fail('ZF0030', 'return_url host');
  const amountFen = parsePositiveYuan(params.amout ?? params.amount ?? '');
  if (amountFen === null) return fail('ZF0010', 'amount');

  // Another partner's claim answers like an unknown one (hole 4): no oracle for which claims exist elsewhere.
  const claim = await findClaim(db, partner.id, params.claim_no);
  if (!claim) return fail('ZF0040', "unknown claim (or another partner's)");

  const next = await resolveEntry(
    deps,
    { partnerId: params.partner_id, referNo: params.refer_no, claimNo: params.claim_no, amountFen },
    params.order_no || undefined,
  );
  const exp = now + config.session.ttlMs;
  const session: Session = {
    partnerId: partner.id,
    claimNo: params.claim_no,
    referNo: params.refer_no,
    userId: claim.user_id,
    amountFen,
    callbackUrl: params.callback,
    exp,
  };
  return {
    token: signSession(session, config.session.secret),
    expires_at: new Date(exp).toISOString(),
    partner_id: partner.id,
    claim_no: params.claim_no,
    refer_no: params.refer_no,
    amount_fen: amountFen,
    user_name: claim.name,
    next,
    return_url: params.return_url || null,
  };
}

/** What a link (or the session it granted) says about the bill: whose claim, which refer_no, how much. */
type LinkBill = Pick<Session, 'partnerId' | 'referNo' | 'claimNo' | 'amountFen'>;

/**
 * SPEC §3.2: resume the live order of (partner, refer_no) instead of creating a second one — but only for the same
 * bill: a link whose claim or amount differs from that order gets ZF0180 and learns nothing of it (hole 3).
 */
async function resolveEntry(deps: Deps, bill: LinkBill, orderNo: string | undefined): Promise<EntryNext> {
  const { db, clock } = deps;
  const order = orderNo ? await findOrder(db, orderNo) : await findLiveOrder(db, bill.partnerId, bill.referNo);
  if (orderNo && (!order || order.partner_id !== bill.partnerId || order.refer_no !== bill.referNo))
    return fail('ZF0060', 'order of the link not found');
  if (!order) return { page: 'policies' };
  const expiredOpen = order.status === 'open' && orderIsExpired(order, clock.now());
  // An expired open order is closed by the next confirm anyway, so it does not bind a link without order_no.
  if ((orderNo || !expiredOpen) && !sameBill(order, bill)) return fail('ZF0180', 'link differs from the order of its refer_no');
  if (order.status === 'open' && !orderIsExpired(order, clock.now())) return { page: 'cashier', order_no: order.order_no };
  if (order.status === 'open' || order.status === 'closed') {
    // An order closed (or just expired) for this refer_no: a link without order_no may start a new one.
    return orderNo ? { page: 'result', order_no: order.order_no } : { page: 'policies' };
  }
  return { page: 'result', order_no: order.order_no };
}

/** Where a resumed session should go now (the H5 reuses a stored session on refresh and back). */
export function entryForSession(deps: Deps, session: Session): Promise<EntryNext> {
  return resolveEntry(deps, session, undefined);
}
