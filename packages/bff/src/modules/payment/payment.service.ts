// Payment attempts: the cashier, wallet-balance pay with a PIN, and the one success path every method ends in
// (the order's open → paid change that only one attempt can win, then settlement).
import type { CashierView, FailureReason, PayResponse } from '@zf/shared';
import { inTransaction, type Db } from '../../db/database.ts';
import type { Order, PaymentAttempt, PaymentAttemptTable } from '../../db/tables.ts';
import type { Deps } from '../../deps.ts';
import { DomainError, fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { verifySecret } from '../../lib/secrets.ts';
import { Accounts, balanceOf, InsufficientFunds, transfer } from '../../ledger/ledger.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { findOrder, orderIsExpired, toAttemptView, toOrderView } from '../order/order.repository.ts';
import { orderForSession, viewOrder } from '../order/order.service.ts';
import type { Session } from '../session/session.service.ts';
import { settleOrder } from '../settlement/settlement.service.ts';

/** ZF0080 when paid, ZF0070 when closed or past its deadline; otherwise the order may take a payment. */
export function assertPayable(order: Order, now: number): void {
  if (order.status === 'paid' || order.status === 'settled' || order.status === 'paid_late') fail('ZF0080');
  if (order.status === 'closed' || orderIsExpired(order, now)) fail('ZF0070');
}

/** The cashier: the order, the methods and what each needs. Other methods add themselves through `extraMethods`. */
export async function cashier(deps: Deps, session: Session, orderNo: string): Promise<CashierView> {
  const order = await orderForSession(deps.db, session, orderNo);
  const user = await deps.db.selectFrom('users').select(['pin_hash', 'pin_locked_at']).where('id', '=', session.userId).executeTakeFirstOrThrow();
  const cards = await deps.db.selectFrom('bound_cards').select(['bank_name', 'last4']).where('user_id', '=', session.userId).orderBy('created_at', 'desc').execute();
  const balance = await balanceOf(deps.db, Accounts.userWallet(session.userId));
  return {
    order: await viewOrder(deps, order),
    methods: [
      { method: 'balance', enabled: user.pin_hash !== null, balance_fen: balance, note: user.pin_hash === null ? '未设置支付密码' : null },
      { method: 'card', enabled: true, balance_fen: null, note: cardNote(cards) },
      { method: 'guanaitong', enabled: true, balance_fen: null, note: '员工积分 / 额度' },
      { method: 'alipay', enabled: false, balance_fen: null, note: '暂未开通' },
      { method: 'wechat', enabled: false, balance_fen: null, note: '暂未开通' },
    ],
    pin_locked: user.pin_locked_at !== null,
    server_time: new Date(deps.clock.now()).toISOString(),
  };
}

/** The card method's line at the cashier: the newest bound card (and how many), or an invitation to add one. */
function cardNote(cards: ReadonlyArray<{ bank_name: string; last4: string }>): string {
  const [newest] = cards;
  if (!newest) return '暂无绑定银行卡，可添加';
  const label = `${newest.bank_name}（尾号${newest.last4}）`;
  return cards.length === 1 ? label : `${label} 等 ${cards.length} 张`;
}

/**
 * ZF0170 while a card payment of the order still waits for the bank: another payment now could succeed beside it
 * and turn into a refund case. `lock` takes the row locks (MySQL) so concurrent pay requests serialize.
 */
export async function assertNoCardInFlight(trx: Db, orderNo: string, lock: boolean): Promise<void> {
  const inFlight = await trx
    .selectFrom('payment_attempts')
    .select('id')
    .where('order_no', '=', orderNo)
    .where('method', '=', 'card')
    .where('status', 'in', ['created', 'submitted', 'pending_bank'])
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
  if (inFlight) fail('ZF0170', `card attempt ${inFlight.id} still in flight`);
}

/** Creates an attempt row for an order's self-pay share. */
export async function createAttempt(db: Db, order: Order, method: PaymentAttemptTable['method'], now: number, fields: Partial<PaymentAttempt> = {}): Promise<PaymentAttempt> {
  const attempt: PaymentAttempt = {
    id: newId('PA', now),
    order_no: order.order_no,
    method,
    amount_fen: Number(order.self_pay_fen),
    status: 'created',
    card_id: null,
    provider_ref: null,
    provider_trade_no: null,
    failure_reason: null,
    internal_reason: null,
    submitted_at: null,
    next_poll_at: null,
    poll_count: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
  await db.insertInto('payment_attempts').values(attempt).execute();
  return attempt;
}

/** Where the self-pay share comes from: the user's wallet, or outside money (bank, Guanaitong). */
function sourceAccount(order: Order, method: PaymentAttempt['method']): string {
  return method === 'balance' ? Accounts.userWallet(order.user_id) : Accounts.world;
}

export type SuccessOutcome = 'paid' | 'duplicate' | 'late' | 'double';

/**
 * The one success path. Inside the caller's transaction: marks the attempt succeeded, moves the self-pay share to
 * the merchant and flips the order open → paid (a conditional update only one attempt can win). A success for a
 * closed order is kept as `paid_late` and raised (LATE_PAYMENT); a second success for a paid order is raised as
 * DOUBLE_PAYMENT (a refund case), never settled twice. Throws InsufficientFunds for a wallet that cannot cover it.
 */
export async function applySuccess(deps: Deps, trx: Db, attemptId: string, providerTradeNo: string | null, now: number): Promise<SuccessOutcome> {
  const attempt = await trx.selectFrom('payment_attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
  if (attempt.status === 'succeeded') return 'duplicate';
  // Conditional: when the same success arrives twice at once (notify and poll), the second waits for the first's row
  // lock and then matches nothing, instead of reading the order as paid by "another" attempt (DOUBLE_PAYMENT).
  const marked = await trx
    .updateTable('payment_attempts')
    .set({ status: 'succeeded', provider_trade_no: providerTradeNo ?? attempt.provider_trade_no, failure_reason: null, next_poll_at: null, updated_at: now })
    .where('id', '=', attemptId)
    .where('status', '!=', 'succeeded')
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) !== 1) return 'duplicate';
  const won = await trx
    .updateTable('orders')
    .set({ status: 'paid', paid_at: now, paid_attempt_id: attemptId, settlement_step: 'pending', updated_at: now })
    .where('order_no', '=', attempt.order_no)
    .where('status', '=', 'open')
    .executeTakeFirst();
  const order = await findOrder(trx, attempt.order_no);
  if (!order) throw new Error(`attempt ${attemptId} without order`);
  if (Number(won.numUpdatedRows) === 1) {
    if (Number(attempt.amount_fen) > 0) {
      await transfer(trx, { key: `order:${order.order_no}:selfpay`, from: sourceAccount(order, attempt.method), to: Accounts.merchant(order.partner_id), amountFen: Number(attempt.amount_fen), orderNo: order.order_no, memo: `self-pay by ${attempt.method}`, now });
    }
    return 'paid';
  }
  if (order.status === 'closed') {
    await trx.updateTable('orders').set({ status: 'paid_late', paid_at: now, paid_attempt_id: attemptId, updated_at: now }).where('order_no', '=', order.order_no).where('status', '=', 'closed').execute();
    await raiseAlert(trx, deps.logger, { kind: 'LATE_PAYMENT', dedupeKey: `LATE_PAYMENT:${attemptId}`, orderNo: order.order_no, amountFen: Number(attempt.amount_fen), detail: `${attempt.method} success after the order closed; refund or settle by hand`, now });
    return 'late';
  }
  await raiseAlert(trx, deps.logger, { kind: 'DOUBLE_PAYMENT', dedupeKey: `DOUBLE_PAYMENT:${attemptId}`, orderNo: order.order_no, amountFen: Number(attempt.amount_fen), detail: `second successful ${attempt.method} attempt on a paid order; refund it`, now });
  return 'double';
}

/**
 * Records a provider's success for an attempt (card notify/poll, Guanaitong notify) and settles the order.
 * Idempotent: a replayed success changes nothing.
 */
export async function recordProviderSuccess(deps: Deps, attemptId: string, providerTradeNo: string | null): Promise<SuccessOutcome> {
  const outcome = await inTransaction(deps.db, (trx) => applySuccess(deps, trx, attemptId, providerTradeNo, deps.clock.now()));
  if (outcome === 'paid') await settleAfterPayment(deps, attemptId);
  return outcome;
}

/**
 * Records a provider's final failure for an attempt; the order stays open for another try.
 * @param callback whether the partner hears of it (bank results do; local failures do not, SPEC §3.6).
 */
export async function recordFailure(deps: Deps, attemptId: string, reason: FailureReason, internal: string, callback: boolean): Promise<boolean> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (trx) => {
    const res = await trx
      .updateTable('payment_attempts')
      .set({ status: 'failed', failure_reason: reason, internal_reason: internal.slice(0, 255), next_poll_at: null, updated_at: now })
      .where('id', '=', attemptId)
      .where('status', 'in', ['created', 'submitted', 'pending_bank'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    deps.logger.info({ attempt_id: attemptId, reason, internal }, 'payment attempt failed');
    const attempt = await trx.selectFrom('payment_attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
    const order = await findOrder(trx, attempt.order_no);
    if (callback && order && order.status === 'open') {
      await enqueueCallback(trx, order, { event: 'failed', resCode: 'ZF0090', resInfo: '支付失败，用户可继续支付', final: false, now, random: deps.random });
    }
    return true;
  });
}

async function settleAfterPayment(deps: Deps, attemptId: string): Promise<void> {
  const attempt = await deps.db.selectFrom('payment_attempts').select('order_no').where('id', '=', attemptId).executeTakeFirstOrThrow();
  try {
    await settleOrder(deps, attempt.order_no);
  } catch (err) {
    // The payment stands; the recovery job resumes settlement from the last recorded step.
    deps.logger.error({ err, order_no: attempt.order_no }, 'settlement interrupted; recovery will resume it');
  }
}

/**
 * 余额支付: checks the 6-digit PIN (hashed; locked after too many wrong tries), then pays the self-pay share from
 * the wallet synchronously. Failures are shown to the user and not called back (SPEC §3.6).
 */
export async function payWithBalance(deps: Deps, session: Session, orderNo: string, pin: string): Promise<PayResponse> {
  const { db, clock, config } = deps;
  const order = await orderForSession(db, session, orderNo);
  assertPayable(order, clock.now());
  await checkPin(deps, session.userId, pin, config.pinMaxTries);

  const now = clock.now();
  let attemptId: string | null = null;
  try {
    await inTransaction(db, async (trx) => {
      const fresh = await findOrder(trx, orderNo);
      if (!fresh) return fail('ZF0060');
      assertPayable(fresh, now);
      await assertNoCardInFlight(trx, orderNo, deps.dialect === 'mysql');
      const attempt = await createAttempt(trx, fresh, 'balance', now, { status: 'submitted', submitted_at: now });
      attemptId = attempt.id;
      // Lost a race with another attempt: roll the whole transaction back (no attempt, no alert, no money).
      if ((await applySuccess(deps, trx, attempt.id, null, now)) !== 'paid') fail('ZF0080');
    });
  } catch (err) {
    if (!(err instanceof InsufficientFunds)) throw err;
    // The transaction rolled back; keep a failed attempt so the records show it (no callback).
    await inTransaction(db, async (trx) => {
      const fresh = await findOrder(trx, orderNo);
      if (fresh) await createAttempt(trx, fresh, 'balance', now, { status: 'failed', failure_reason: 'insufficient_balance', internal_reason: 'wallet balance below self-pay share' });
    });
    return fail('ZF0090', 'insufficient balance', { reason: 'insufficient_balance' });
  }
  if (attemptId) await settleAfterPayment(deps, attemptId);
  const paid = await findOrder(db, orderNo);
  const attempt = await db.selectFrom('payment_attempts').selectAll().where('id', '=', attemptId ?? '').executeTakeFirstOrThrow();
  return { order: toOrderView(paid ?? order, attempt, clock.now()), attempt: toAttemptView(attempt) };
}

/** Verifies the user's PIN, counting wrong tries; ZF0110 when locked, ZF0090 (wrong_pin) with the tries left. */
async function checkPin(deps: Deps, userId: string, pin: string, maxTries: number): Promise<void> {
  const { db, clock } = deps;
  const user = await db.selectFrom('users').select(['pin_hash', 'pin_failed', 'pin_locked_at']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.pin_locked_at !== null) fail('ZF0110');
  if (user.pin_hash === null) fail('ZF0150', 'no PIN set');
  if (await verifySecret(pin, user.pin_hash as string)) {
    if (Number(user.pin_failed) > 0) await db.updateTable('users').set({ pin_failed: 0 }).where('id', '=', userId).execute();
    return;
  }
  const failed = await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set((eb) => ({ pin_failed: eb('pin_failed', '+', 1) })).where('id', '=', userId).execute();
    const row = await trx.selectFrom('users').select('pin_failed').where('id', '=', userId).executeTakeFirstOrThrow();
    const count = Number(row.pin_failed);
    if (count >= maxTries) await trx.updateTable('users').set({ pin_locked_at: clock.now() }).where('id', '=', userId).where('pin_locked_at', 'is', null).execute();
    return count;
  });
  if (failed >= maxTries) fail('ZF0110');
  throw new DomainError('ZF0090', 'wrong PIN', { reason: 'wrong_pin', remaining_tries: maxTries - failed });
}

/** Y = 0: the insurer pays everything, so confirming the order goes straight to payment success and settlement. */
export async function payInsurerOnly(deps: Deps, order: Order): Promise<void> {
  if (Number(order.self_pay_fen) !== 0 || order.status !== 'open') return;
  const now = deps.clock.now();
  const attempt = await inTransaction(deps.db, async (trx) => {
    const a = await createAttempt(trx, order, 'insurer_only', now, { status: 'submitted', submitted_at: now });
    if ((await applySuccess(deps, trx, a.id, null, now)) !== 'paid') fail('ZF0080');
    return a;
  });
  await settleAfterPayment(deps, attempt.id);
}
