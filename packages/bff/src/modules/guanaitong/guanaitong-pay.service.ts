// 关爱通 points / quota payment (SPEC §3.6, seed 001): the browser's round trip through Guanaitong's login and
// cashier, the signed notify that alone settles, and the job that closes attempts no notify ever came for.
//
// The trip (the H5 keeps its session in sessionStorage, so every page the browser comes back to resumes from its URL):
// 1. start (session): checks the order, returns Guanaitong's login URL with a `state` token (HMAC, 10 min) naming the
//    order, the user and the pay type, and the id the attempt will get. Nothing is written yet.
// 2. auth callback (the `state` authenticates): re-checks the order; for quota (pay type 2) lists the employee's
//    assets and, when there are several, sends the browser to the H5 picker with a `pick` token (HMAC, ≤ 55 s: the
//    auth code's own minute) instead of paying; otherwise creates the attempt (`submitted`, `provider_ref` =
//    outer_trade_no) and calls checkUserAndToPay, then sends the browser to Guanaitong's cashier.
// 3. pay (the `pick` token authenticates): the same with the chosen `account_openid`.
// 4. return: never trusted to settle; a verified `pay_result=fail` (cancelled at Guanaitong's cashier) only fails the
//    attempt locally. The browser goes to the H5 result page, which polls the order.
// 5. notify: verified (signature, ±5 min, appid), matched to the attempt by outer_trade_no and checked against its
//    amount, recorded once per trade_no, then the one success path settles the order; replays answer `success`.
//
// Failures before Guanaitong has a paid trade (no such asset, insufficient balance, expired login, cancel) are local:
// shown to the user, attempt `failed`, no partner callback (SPEC §3.6). A success notify for an attempt we failed
// (cancelled, stale) still pays: `applySuccess` takes it, and a closed order becomes paid_late (LATE_PAYMENT).
import type { GuanaitongPayResponse, GuanaitongPayType, GuanaitongPickView, GuanaitongStartResponse } from '@zf/shared';
import { GUANAITONG_H5_PARAMS } from '@zf/shared';
import { inTransaction, isUniqueViolation } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { DomainError, fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { newId } from '../../lib/ids.ts';
import { signToken } from '../../lib/secrets.ts';
import { buildTradeInfo, outerTradeNo, type GuanaitongClient } from '../../providers/guanaitong/client.ts';
import { findOrder } from '../order/order.repository.ts';
import { orderForSession } from '../order/order.service.ts';
import type { Order } from '../order/order.table.ts';
import { setProviderTradeNo } from '../payment/payment.repository.ts';
import { assertNoCardInFlight, assertPayable, createAttempt, recordFailure } from '../payment/payment.service.ts';
import {
  errorPage,
  gatFailure,
  GUANAITONG_PATHS,
  GUANAITONG_PICK_TTL_MS,
  GUANAITONG_STATE_TTL_MS,
  h5Url,
  openToken,
  ownedOrder,
  PickPayload,
  StatePayload,
  tokenKey,
} from './guanaitong-trip.ts';

// ---- 1. start ----------------------------------------------------------------------------------------------------

/**
 * Starts a Guanaitong payment of the session's order: ZF0060/0070/0080 when it is not payable; otherwise the login
 * URL to send the browser to. Writes nothing: an abandoned login leaves no trace.
 */
export async function startGuanaitongPay(
  deps: Deps,
  client: GuanaitongClient,
  session: Session,
  orderNo: string,
  payType: GuanaitongPayType,
): Promise<GuanaitongStartResponse> {
  const now = deps.clock.now();
  const order = await orderForSession(deps.db, session, orderNo);
  assertPayable(order, now);
  if (Number(order.self_pay_fen) <= 0) fail('ZF0150', 'nothing to pay through guanaitong');
  await assertNoCardInFlight(deps.db, order.order_no, false);
  const exp = now + GUANAITONG_STATE_TTL_MS;
  const state: StatePayload = {
    v: 'gat-state',
    a: newId('PA', now, deps.random),
    o: order.order_no,
    p: session.partnerId,
    r: session.referNo,
    u: session.userId,
    t: payType,
    exp,
  };
  const loginUrl = client.loginUrl({
    redirectUri: `${deps.config.publicBaseUrl}${GUANAITONG_PATHS.authCallback}`,
    state: signToken(state, tokenKey(deps, 'state')),
  });
  return { login_url: loginUrl, expires_at: new Date(exp).toISOString() };
}

// ---- 2. the auth callback -----------------------------------------------------------------------------------------

/**
 * Guanaitong's login came back with `auth_code` and our `state`. Answers where to send the browser: Guanaitong's
 * cashier, the H5 quota picker, the result page (a paid order, or a reloaded callback) or the cashier with an error.
 */
export async function completeGuanaitongLogin(
  deps: Deps,
  client: GuanaitongClient,
  query: { auth_code?: string; state?: string },
): Promise<string> {
  const state = openToken(deps, 'state', StatePayload, query.state);
  if (!state) {
    deps.logger.warn({ has_state: query.state !== undefined }, 'guanaitong auth callback with a missing or tampered state');
    return errorPage(deps, null, new DomainError('ZF0020', 'guanaitong state'));
  }
  try {
    if (state.exp <= deps.clock.now()) fail('ZF0090', 'guanaitong login took too long', { reason: 'authorization_expired' });
    const authCode = query.auth_code?.trim();
    if (!authCode) return fail('ZF0090', 'guanaitong login without an auth code', { reason: 'cancelled' });
    assertPayable(await ownedOrder(deps, state), deps.clock.now());
    if (state.t === 2) {
      const quotas = await employeeQuotas(client, authCode);
      if (quotas.length === 0) fail('ZF0150', 'employee has no quota asset');
      if (quotas.length > 1) return pickerUrl(deps, state, authCode, quotas);
    }
    const submitted = await submitPayment(deps, client, { state, authCode, accountOpenid: undefined });
    // A reloaded callback: this trip's attempt exists already; its result page tells the rest.
    return submitted === 'duplicate' ? h5Url(deps, 'pay-result', { order_no: state.o }) : submitted.cashierUrl;
  } catch (err) {
    if (err instanceof DomainError) return errorPage(deps, state.o, err);
    // A browser navigation: answer with a page, not JSON; the error itself is logged with its stack.
    deps.logger.error({ err, order_no: state.o }, 'guanaitong auth callback failed');
    return errorPage(deps, state.o, new DomainError('ZF0130'));
  }
}

async function employeeQuotas(client: GuanaitongClient, authCode: string): Promise<Array<[string, string, number]>> {
  try {
    const { assets } = await client.getEmployeeAssets(authCode);
    return assets.filter((a) => a.type === 'quota').map((a): [string, string, number] => [a.accountOpenid, a.name, a.balanceFen]);
  } catch (err) {
    const failure = gatFailure(err);
    if (!failure) throw err;
    return fail('ZF0090', failure.internal, { reason: failure.reason });
  }
}

function pickerUrl(deps: Deps, state: StatePayload, authCode: string, quotas: Array<[string, string, number]>): string {
  const pick: PickPayload = {
    ...state,
    v: 'gat-pick',
    c: authCode,
    s: quotas,
    exp: Math.min(state.exp, deps.clock.now() + GUANAITONG_PICK_TTL_MS),
  };
  return h5Url(deps, 'cashier', { order_no: state.o, [GUANAITONG_H5_PARAMS.pick]: signToken(pick, tokenKey(deps, 'pick')) });
}

/**
 * Creates the trip's attempt (`submitted`) and asks Guanaitong for the trade. A Guanaitong refusal fails the attempt
 * locally (no callback) and throws ZF0090 + reason. 'duplicate' when this trip's attempt already exists.
 */
async function submitPayment(
  deps: Deps,
  client: GuanaitongClient,
  input: { state: Pick<StatePayload, 'a' | 'o' | 't'>; authCode: string; accountOpenid: string | undefined },
): Promise<{ cashierUrl: string } | 'duplicate'> {
  const { db, clock, config } = deps;
  const { state } = input;
  const now = clock.now();
  const providerRef = outerTradeNo(config.guanaitong.sellerAppid, state.a);
  let order: Order;
  try {
    order = await inTransaction(db, async (trx) => {
      const fresh = await findOrder(trx, state.o);
      if (!fresh) return fail('ZF0060');
      assertPayable(fresh, now);
      await assertNoCardInFlight(trx, fresh.order_no, deps.dialect === 'mysql');
      await createAttempt(trx, fresh, 'guanaitong', now, {
        id: state.a,
        status: 'submitted',
        submitted_at: now,
        provider_ref: providerRef,
      });
      return fresh;
    });
  } catch (err) {
    if (isUniqueViolation(err)) return 'duplicate';
    throw err;
  }
  try {
    const result = await client.checkUserAndToPay({
      authCode: input.authCode,
      sellerAppid: config.guanaitong.sellerAppid,
      outerTradeNo: providerRef,
      payType: state.t,
      pointFen: Number(order.self_pay_fen),
      reason: `商保直付自付 ${order.order_no}`,
      accountOpenid: input.accountOpenid,
      returnUrl: `${config.publicBaseUrl}${GUANAITONG_PATHS.return}?order_no=${encodeURIComponent(order.order_no)}`,
      notifyUrl: `${config.publicBaseUrl}${GUANAITONG_PATHS.notify}`,
      attach: order.order_no,
      tradeInfo: buildTradeInfo({ orderNo: order.order_no, selfPayFen: Number(order.self_pay_fen) }),
    });
    if (result.tradeNo !== null) {
      await setProviderTradeNo(db, state.a, result.tradeNo, clock.now());
    }
    deps.logger.info(
      { order_no: order.order_no, attempt_id: state.a, outer_trade_no: providerRef, trade_no: result.tradeNo, pay_type: state.t },
      'guanaitong trade created',
    );
    return { cashierUrl: result.cashierUrl };
  } catch (err) {
    const failure = gatFailure(err);
    // Anything else (our own bug, the database) leaves the attempt submitted for the stale-attempt job.
    if (!failure) throw err;
    await recordFailure(deps, state.a, failure.reason, failure.internal, false);
    return fail('ZF0090', failure.internal, { reason: failure.reason });
  }
}

// ---- 3. the quota picker ------------------------------------------------------------------------------------------

function openPick(deps: Deps, token: string): PickPayload {
  const pick = openToken(deps, 'pick', PickPayload, token);
  if (!pick) return fail('ZF0020', 'guanaitong pick token');
  if (pick.exp <= deps.clock.now()) fail('ZF0090', 'guanaitong pick expired', { reason: 'authorization_expired' });
  return pick;
}

/** What the H5 picker shows: the order's amount and the employee's quota assets. ZF0020 / ZF0090 for a bad token. */
export async function readGuanaitongPick(deps: Deps, token: string): Promise<GuanaitongPickView> {
  const pick = openPick(deps, token);
  const order = await ownedOrder(deps, pick);
  return {
    order_no: order.order_no,
    amount_fen: Number(order.self_pay_fen),
    expires_at: new Date(pick.exp).toISOString(),
    assets: pick.s.map(([accountOpenid, name, balanceFen]) => ({ account_openid: accountOpenid, name, balance_fen: balanceFen })),
  };
}

/**
 * Pays from the quota asset the user picked: ZF0010 for an asset that was not offered, ZF0060/0070/0080 for the
 * order, ZF0090 + reason when Guanaitong refuses or the login has expired. Answers Guanaitong's cashier URL.
 */
export async function payWithPickedAsset(
  deps: Deps,
  client: GuanaitongClient,
  token: string,
  accountOpenid: string,
): Promise<GuanaitongPayResponse> {
  const pick = openPick(deps, token);
  if (!pick.s.some(([id]) => id === accountOpenid)) fail('ZF0010', 'account_openid was not offered');
  assertPayable(await ownedOrder(deps, pick), deps.clock.now());
  const submitted = await submitPayment(deps, client, { state: pick, authCode: pick.c, accountOpenid });
  // A second submit of the same pick: its auth code is spent.
  if (submitted === 'duplicate') return fail('ZF0090', 'guanaitong pick already used', { reason: 'authorization_expired' });
  return { cashier_url: submitted.cashierUrl };
}
