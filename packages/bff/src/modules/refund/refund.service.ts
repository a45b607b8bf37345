// Refunds (issue 10): a paid order refunded in full or in parts, idempotent by the partner's refund number, each
// `requested → submitted → succeeded | failed`; the money moves in refund.ledger.ts, the providers in
// refund.providers.ts. A merchant ledger that cannot cover a refund parks it as a manual task for an admin.
import { formatYuan } from '@zf/shared';
import { inTransaction, type Trx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { InsufficientFunds } from '../../ledger/ledger.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { enqueueCallback } from '../callback/callback.service.ts';
import { findOrder, lockOrder } from '../order/order.repository.ts';
import { getAttempt } from '../payment/payment.repository.ts';
import { holdFromMerchant, payOut, release } from './refund.ledger.ts';
import {
  guanaitongRefund,
  pollCardRefund,
  providerRefFor,
  submitCardRefund,
  type ProviderAnswer,
  type RefundProviders,
} from './refund.providers.ts';
import { claimRefund, dueRefunds, findPartnerRefund, findRefund, insertRefund, refundsOfOrder, updateRefund } from './refund.repository.ts';
import { splitRefund } from './refund.split.ts';
import type { Refund } from './refund.table.ts';
import { rechargeQuota } from '../quota/quota.service.ts';

/** Provider status look-ups back off like card payment polling, then every minute. */
export const REFUND_POLL_SCHEDULE_MS = [2_000, 4_000, 8_000, 16_000, 30_000, 60_000];
/** A refund not finished this long after an action is looked at again by the job (crash recovery). */
export const REFUND_RECOVERY_MS = 30_000;
/** A job run holds a refund this long, so another instance leaves it alone meanwhile. */
const LEASE_MS = 30_000;

export interface RefundInput {
  partnerId: string;
  orderNo: string;
  partnerRefundNo: string;
  amountFen: number;
  reason: string;
  source: Refund['source'];
}

/** The same refund number again: the refund it made, when it asked for the same; ZF0224 otherwise. */
function sameRequest(prior: Refund, input: RefundInput): Refund {
  if (prior.order_no !== input.orderNo || Number(prior.amount_fen) !== input.amountFen)
    fail('ZF0224', `refund ${input.partnerRefundNo} reused`);
  return prior;
}

/**
 * Asks for a refund of `amountFen` of a settled order (ZF0060 not the partner's, ZF0225 not settled, ZF0223 beyond what
 * is left). Splits it between the insurer's share and the self-pay (refund.split.ts), records it and carries it as far
 * as it goes now (balance: done; card / Guanaitong: submitted; merchant short: a manual task).
 */
export async function requestOrderRefund(deps: Deps, providers: RefundProviders, input: RefundInput): Promise<Refund> {
  const { refund, created } = await inTransaction(deps.db, (trx) => recordOrderRefund(trx, deps, input));
  return created ? advanceRefund(deps, providers, refund.refund_no) : refund;
}

/**
 * The recording half of {@link requestOrderRefund}, in the caller's transaction (the console audits it in the same
 * one); the caller then carries a created refund on with {@link advanceRefund} after the commit.
 */
export async function recordOrderRefund(trx: Trx, deps: Deps, input: RefundInput): Promise<{ refund: Refund; created: boolean }> {
  const now = deps.clock.now();
  const prior = await findPartnerRefund(trx, input.partnerId, input.partnerRefundNo);
  if (prior) return { refund: sameRequest(prior, input), created: false };
  const order = await lockOrder(trx, input.orderNo, deps.dialect === 'mysql');
  if (!order || order.partner_id !== input.partnerId) return fail('ZF0060');
  if (order.status !== 'settled' || !order.paid_attempt_id) return fail('ZF0225', `order ${order.order_no} is ${order.status}`);
  const attempt = await getAttempt(trx, order.paid_attempt_id);
  const before = (await refundsOfOrder(trx, order.order_no)).filter((r) => r.kind === 'order' && r.status !== 'failed');
  const already = before.reduce((sum, r) => sum + Number(r.amount_fen), 0);
  if (already + input.amountFen > Number(order.amount_fen)) return fail('ZF0223', `${already} + ${input.amountFen} > ${order.amount_fen}`);
  const split = splitRefund({ amountFen: Number(order.amount_fen), insurerFen: Number(order.insurer_fen) }, already, input.amountFen);
  const row: Refund = {
    refund_no: newId('RF', now, deps.random),
    order_no: order.order_no,
    partner_id: order.partner_id,
    partner_refund_no: input.partnerRefundNo,
    kind: 'order',
    attempt_id: attempt.id,
    method: attempt.method,
    amount_fen: input.amountFen,
    insurer_fen: split.insurerFen,
    self_pay_fen: split.selfPayFen,
    reason: input.reason.slice(0, 255),
    source: input.source,
    status: 'requested',
    held: 0,
    task_status: 'none',
    provider_ref: null,
    provider_status: null,
    provider_detail: null,
    next_poll_at: now + REFUND_RECOVERY_MS,
    poll_count: 0,
    task_done_by: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
    submitted_at: null,
    overdue_alerted_at: null,
  };
  if (await insertRefund(trx, row)) return { refund: row, created: true };
  // The same number taken meanwhile by a concurrent request (a double click) that committed first: answer that one.
  const taken = (await findPartnerRefund(trx, input.partnerId, input.partnerRefundNo, deps.dialect === 'mysql')) ?? fail('ZF0228');
  return { refund: sameRequest(taken, input), created: false };
}

/** Carries a refund one step at a time as far as it can go now; safe to call again at any time (job, admin, retries). */
export async function advanceRefund(deps: Deps, providers: RefundProviders, refundNo: string): Promise<Refund> {
  for (let guard = 0; guard < 4; guard++) {
    const r = await findRefund(deps.db, refundNo);
    if (!r) return fail('ZF0226');
    if (r.status === 'succeeded' || r.status === 'failed' || r.task_status === 'open') return r;
    if (!r.held) {
      if (!(await hold(deps, r))) continue;
    } else if (r.status === 'requested') {
      if (r.method === 'balance' || r.method === 'insurer_only' || Number(r.self_pay_fen) === 0)
        await finish(deps, r, { outcome: 'succeeded', status: 'LOCAL', detail: null });
      else
        await updateRefund(deps.db, r.refund_no, ['requested'], {
          status: 'submitted',
          provider_ref: r.provider_ref ?? providerRefFor(r, providers.sellerAppid),
          submitted_at: deps.clock.now(),
          updated_at: deps.clock.now(),
        });
    } else {
      const answer = await askProvider(deps, providers, r);
      if (answer.outcome === 'pending') return schedule(deps, r, answer);
      await finish(deps, r, answer);
    }
  }
  return (await findRefund(deps.db, refundNo)) ?? fail('ZF0226');
}

/** Takes an order refund's money from the merchant; when short, parks the refund as a manual task (false). */
async function hold(deps: Deps, r: Refund): Promise<boolean> {
  const now = deps.clock.now();
  try {
    await inTransaction(deps.db, async (trx) => {
      if (await updateRefund(trx, r.refund_no, ['requested'], { held: 1, updated_at: now }, r.task_status))
        await holdFromMerchant(trx, r, now);
    });
    return true;
  } catch (err) {
    if (!(err instanceof InsufficientFunds)) throw err;
    await inTransaction(deps.db, async (trx) => {
      if (!(await updateRefund(trx, r.refund_no, ['requested'], { task_status: 'open', updated_at: now }, r.task_status))) return;
      await raiseAlert(trx, deps.logger, {
        kind: 'REFUND_MERCHANT_SHORT',
        dedupeKey: `REFUND_MERCHANT_SHORT:${r.refund_no}`,
        orderNo: r.order_no,
        amountFen: Number(r.amount_fen),
        detail: `merchant ledger of ${r.partner_id} cannot cover refund ${r.refund_no} (${formatYuan(r.amount_fen)}); manual task`,
        now,
      });
    });
    return false;
  }
}

async function askProvider(deps: Deps, providers: RefundProviders, r: Refund): Promise<ProviderAnswer> {
  const attempt = await getAttempt(deps.db, r.attempt_id);
  if (r.method === 'card')
    return r.poll_count === 0 ? submitCardRefund(providers.payzero(), r, attempt) : pollCardRefund(providers.payzero(), r, attempt);
  if (r.method === 'guanaitong') return guanaitongRefund(providers.guanaitong(), providers.sellerAppid, r, attempt);
  return { outcome: 'succeeded', status: 'LOCAL', detail: null };
}

async function schedule(deps: Deps, r: Refund, answer: ProviderAnswer): Promise<Refund> {
  const now = deps.clock.now();
  const delay = REFUND_POLL_SCHEDULE_MS[Math.min(Number(r.poll_count), REFUND_POLL_SCHEDULE_MS.length - 1)] ?? 60_000;
  await updateRefund(deps.db, r.refund_no, ['submitted'], {
    provider_status: answer.status,
    provider_detail: answer.detail,
    poll_count: Number(r.poll_count) + 1,
    next_poll_at: now + delay,
    updated_at: now,
  });
  return (await findRefund(deps.db, r.refund_no)) ?? r;
}

/**
 * Ends a refund with the provider's result. Succeeded: the insurer's quota record (type 1, keyed by the refund, on the
 * quota connection, once) first, then in one transaction the state, the money out of `refund_pending` and the
 * `refunded` callback. Failed: the hold goes back to the merchant (an extra payment's money stays held for an admin).
 */
async function finish(deps: Deps, r: Refund, answer: ProviderAnswer): Promise<void> {
  const order = await findOrder(deps.db, r.order_no);
  if (!order) throw new Error(`refund ${r.refund_no} without order`);
  const now = deps.clock.now();
  const ok = answer.outcome === 'succeeded';
  // The type 1 record and its one ledger mirror (quota:recharge:refund:<no>), the levels re-armed.
  if (ok && Number(r.insurer_fen) > 0) await rechargeQuota(deps, order.ic_code, Number(r.insurer_fen), `refund:${r.refund_no}`);
  await inTransaction(deps.db, async (trx) => {
    const keepHeld = !ok && r.kind === 'extra_attempt';
    const set = {
      status: ok ? ('succeeded' as const) : ('failed' as const),
      held: keepHeld ? 1 : 0,
      provider_status: answer.status,
      provider_detail: answer.detail,
      next_poll_at: null,
      finished_at: now,
      updated_at: now,
    };
    if (!(await updateRefund(trx, r.refund_no, ['requested', 'submitted'], set))) return;
    if (ok) await payOut(trx, r, order, now);
    else if (r.kind === 'order') await release(trx, r, now);
    if (!ok)
      await raiseAlert(trx, deps.logger, {
        kind: 'REFUND_FAILED',
        dedupeKey: `REFUND_FAILED:${r.refund_no}:${now}`,
        orderNo: r.order_no,
        amountFen: Number(r.amount_fen),
        detail: `refund ${r.refund_no} by ${r.method} failed: ${answer.status} ${answer.detail ?? ''}`,
        now,
      });
    await enqueueCallback(trx, order, {
      event: 'refunded',
      resCode: ok ? 'ZF0232' : 'ZF0233',
      resInfo: ok ? '退款成功' : '退款失败，款项未退回',
      final: true,
      now,
      random: deps.random,
      refund: {
        refund_no: r.refund_no,
        partner_refund_no: r.partner_refund_no,
        amount_fen: Number(r.amount_fen),
        insurer_fen: Number(r.insurer_fen),
        self_pay_fen: Number(r.self_pay_fen),
        status: ok ? 'succeeded' : 'failed',
      },
    });
  });
}

/** The job: provider status look-ups, retries and recovery of refunds left mid-way. Returns how many it moved. */
export async function progressRefunds(deps: Deps, providers: RefundProviders, limit = 50): Promise<number> {
  const now = deps.clock.now();
  let moved = 0;
  for (const r of await dueRefunds(deps.db, now, limit)) {
    if (!(await claimRefund(deps.db, r, now + LEASE_MS))) continue;
    try {
      await advanceRefund(deps, providers, r.refund_no);
      moved++;
    } catch (err) {
      deps.logger.error({ err, refund_no: r.refund_no }, 'refund step failed; the job retries it');
    }
  }
  return moved;
}

/**
 * Admin: completes a refund parked as a manual task (the merchant's ledger was short) once the merchant can cover it:
 * takes the task and the hold in one transaction ({@link takeRefundTask}), then carries the refund on.
 */
export async function completeRefundTask(deps: Deps, providers: RefundProviders, refundNo: string, adminId: string): Promise<Refund> {
  await inTransaction(deps.db, (trx) => takeRefundTask(trx, deps, refundNo, adminId));
  return advanceRefund(deps, providers, refundNo);
}

/**
 * In the caller's transaction: claims the open task (open → done, so two admins cannot both complete it) and takes the
 * refund's money from the merchant. ZF0228 when it is no open task; ZF0227 when the ledger is still short (thrown, so
 * the transaction rolls back and the task stays open; nothing moved). A second completion moves nothing.
 */
export async function takeRefundTask(trx: Trx, deps: Deps, refundNo: string, adminId: string): Promise<Refund> {
  const now = deps.clock.now();
  const r = (await findRefund(trx, refundNo)) ?? fail('ZF0226');
  if (r.task_status !== 'open' || r.status !== 'requested') fail('ZF0228');
  const set = { task_status: 'done' as const, task_done_by: adminId.slice(0, 64), held: 1, updated_at: now };
  if (!(await updateRefund(trx, refundNo, ['requested'], set, 'open'))) fail('ZF0228');
  try {
    await holdFromMerchant(trx, r, now);
  } catch (err) {
    if (err instanceof InsufficientFunds) fail('ZF0227', `merchant ${r.partner_id} short for ${r.amount_fen}`);
    throw err;
  }
  return { ...r, ...set };
}
