// 关爱通 trips: where Guanaitong sends the browser and its notifies, the signed `state` / `pick` tokens that carry a
// trip through Guanaitong's pages, the H5 pages a trip ends on, and how a Guanaitong refusal reads to the user.
import { createHmac } from 'node:crypto';
import type { FailureReason } from '@zf/shared';
import { GUANAITONG_H5_PARAMS } from '@zf/shared';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { fail, type DomainError } from '../../http/errors.ts';
import { readToken } from '../../lib/secrets.ts';
import { GAT_CODES, GuanaitongError, GuanaitongTransportError } from '../../providers/guanaitong/client.ts';
import { findOrder } from '../order/order.repository.ts';
import type { Order } from '../order/order.table.ts';

/** Where Guanaitong sends the browser and its notifies, under `config.publicBaseUrl`. */
export const GUANAITONG_PATHS = {
  authCallback: '/api/providers/guanaitong/auth-callback',
  pick: '/api/providers/guanaitong/pick',
  pay: '/api/providers/guanaitong/pay',
  return: '/api/providers/guanaitong/return',
  notify: '/api/providers/guanaitong/notify',
} as const;

/** How long the login trip may take, from start to our auth callback. */
export const GUANAITONG_STATE_TTL_MS = 10 * 60_000;
/** How long the picker may take: the auth code lives 1 minute from the login (seed 001); keep a margin. */
export const GUANAITONG_PICK_TTL_MS = 55_000;
/** A `submitted` attempt with no notify this long after its order's deadline is failed by the job. */
export const GUANAITONG_STALE_AFTER_DEADLINE_MS = 3_600_000;

// ---- tokens ------------------------------------------------------------------------------------------------------

export const StatePayload = z.object({
  v: z.literal('gat-state'),
  /** The attempt id this trip will use (so a reloaded callback cannot pay twice). */
  a: z.string(),
  o: z.string(),
  p: z.string(),
  r: z.string(),
  u: z.string(),
  t: z.union([z.literal(1), z.literal(2)]),
  exp: z.number(),
});
export type StatePayload = z.infer<typeof StatePayload>;

export const PickPayload = StatePayload.extend({
  v: z.literal('gat-pick'),
  /** The employee's auth code: already in the URL Guanaitong redirected to, single use, 1 minute, our appid only. */
  c: z.string(),
  /** The quota assets offered: [account_openid, name, balance_fen]. */
  s: z.array(z.tuple([z.string(), z.string(), z.number()])),
});
export type PickPayload = z.infer<typeof PickPayload>;

/**
 * Keys derived from the session secret per purpose, so a `state` or `pick` token (which passes through Guanaitong's
 * pages and the URL) can never be read as a session bearer token, nor one as the other.
 */
export function tokenKey(deps: Deps, purpose: 'state' | 'pick'): string {
  return createHmac('sha256', deps.config.session.secret).update(`guanaitong:${purpose}`).digest('hex');
}

export function openToken<S extends z.ZodType<{ exp: number }>>(
  deps: Deps,
  purpose: 'state' | 'pick',
  schema: S,
  token: string | undefined,
): z.output<S> | null {
  if (!token) return null;
  const parsed = schema.safeParse(readToken<{ exp: number }>(token, tokenKey(deps, purpose)));
  return parsed.success ? parsed.data : null;
}

// ---- where the browser goes ---------------------------------------------------------------------------------------

export type H5Page = 'cashier' | 'pay-result' | 'orders';

/** An H5 route under `config.walletUrl` (hash history), with its query after the hash. */
export function h5Url(deps: Deps, page: H5Page, params: Record<string, string | undefined>): string {
  const base = deps.config.walletUrl.split('#')[0] ?? deps.config.walletUrl;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  const qs = query.toString();
  return `${base}#/pages/${page}/${page}${qs ? `?${qs}` : ''}`;
}

/** The H5 page that explains a refusal: the result page for a paid order, the cashier (with the code) otherwise. */
export function errorPage(deps: Deps, orderNo: string | null, err: DomainError): string {
  const { error, reason } = GUANAITONG_H5_PARAMS;
  if (orderNo === null || err.code === 'ZF0060') return h5Url(deps, 'orders', { [error]: err.code });
  if (err.code === 'ZF0080') return h5Url(deps, 'pay-result', { order_no: orderNo });
  return h5Url(deps, 'cashier', { order_no: orderNo, [error]: err.code, [reason]: err.extra.reason });
}

// ---- Guanaitong failures ------------------------------------------------------------------------------------------

/** A Guanaitong refusal as the user sees it (ZF0090 + reason), or null for errors that are not Guanaitong's. */
export function gatFailure(err: unknown): { reason: FailureReason; internal: string } | null {
  if (err instanceof GuanaitongError) {
    const reason: FailureReason =
      err.code === GAT_CODES.INSUFFICIENT_BALANCE
        ? 'insufficient_balance'
        : err.code === GAT_CODES.AUTH_CODE_INVALID || err.code === GAT_CODES.AUTH_CODE_NEEDED
          ? 'authorization_expired'
          : 'provider_error';
    return { reason, internal: `guanaitong ${err.code} ${err.msg}` };
  }
  if (err instanceof GuanaitongTransportError) return { reason: 'provider_error', internal: err.message };
  return null;
}

/** The order a token names, if it is still that user's order of that partner and refer_no; ZF0060 otherwise. */
export async function ownedOrder(deps: Deps, token: Pick<StatePayload, 'o' | 'p' | 'r' | 'u'>): Promise<Order> {
  const order = await findOrder(deps.db, token.o);
  if (!order || order.partner_id !== token.p || order.refer_no !== token.r || order.user_id !== token.u) return fail('ZF0060');
  return order;
}
