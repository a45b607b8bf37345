// Money the console moves by hand: recharging the clearing ledger, completing a parked clearing task, recharging an
// insurer's quota. Each is idempotent (a retried request moves nothing twice) and audited in its transaction.
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { Accounts, balanceOf, InsufficientFunds, transfer, transferByKey } from '../../ledger/ledger.ts';
import { findClearingTask, markClearingTaskDone } from '../alert/alert-admin.repository.ts';
import { resolveAlert } from '../alert/alert-admin.repository.ts';
import { mirrorKey } from '../quota/quota.repository.ts';
import { rechargeQuota } from '../quota/quota.service.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { auditedMutation } from './audit.ts';

/** A reference reused for another amount is refused (ZF0265 would hide a typo). */
async function checkReference(deps: Deps, key: string, amountFen: number): Promise<boolean> {
  const prior = await transferByKey(deps.db, key);
  if (prior && Number(prior.amount_fen) !== amountFen) fail('ZF0267', `reference ${key} used for ${prior.amount_fen}`);
  return prior !== undefined;
}

/** `world → clearing`, keyed by the operator's reference: a second request with it moves nothing. */
export async function rechargeClearing(deps: Deps, actor: AdminActor, amountFen: number, reference: string) {
  const key = `admin:clearing:${reference}`;
  if (await checkReference(deps, key, amountFen)) return { duplicate: true, balance_fen: await balanceOf(deps.db, Accounts.clearing) };
  const result = await auditedMutation(deps, actor, 'clearing.recharge', Accounts.clearing, async (trx) => {
    const before = await balanceOf(trx, Accounts.clearing);
    const t = await transfer(trx, {
      key,
      from: Accounts.world,
      to: Accounts.clearing,
      amountFen,
      memo: `clearing ledger recharge ${reference}`.slice(0, 128),
      now: deps.clock.now(),
    });
    if (t.status === 'duplicate') return null;
    const after = await balanceOf(trx, Accounts.clearing);
    return {
      before: { balance_fen: before },
      after: { balance_fen: after, amount_fen: amountFen, reference },
      result: { duplicate: false, balance_fen: after },
    };
  });
  return result ?? { duplicate: true, balance_fen: await balanceOf(deps.db, Accounts.clearing) };
}

/**
 * Performs a parked `clearing → merchant` transfer with its ORIGINAL key `order:<no>:insurer` (so it can never happen
 * twice, even if settlement or another admin got there first), marks the task done and resolves its alert.
 * ZF0265 when already done, ZF0264 when the clearing ledger is still short (nothing changes).
 */
export async function completeClearingTask(deps: Deps, actor: AdminActor, taskId: string) {
  const task = await findClearingTask(deps.db, taskId);
  if (!task) return fail('ZF0263', 'task');
  if (task.status !== 'open') return fail('ZF0265', 'task already done');
  try {
    return await auditedMutation(deps, actor, 'clearing.complete', `task:${task.id}`, async (trx) => {
      const now = deps.clock.now();
      const before = await balanceOf(trx, Accounts.clearing);
      const t = await transfer(trx, {
        key: `order:${task.order_no}:insurer`,
        from: Accounts.clearing,
        to: task.to_account,
        amountFen: Number(task.amount_fen),
        orderNo: task.order_no,
        memo: 'insurer share cleared by admin',
        now,
      });
      if (!(await markClearingTaskDone(trx, task.id, actor.username, now))) fail('ZF0265', 'task completed concurrently');
      const alert = await trx
        .selectFrom('alerts')
        .select('id')
        .where('dedupe_key', '=', `CLEARING_LEDGER_SHORT:${task.order_no}`)
        .executeTakeFirst();
      if (alert) await resolveAlert(trx, alert.id, actor.username, `清分任务 ${task.id} 已完成`, now);
      const after = await balanceOf(trx, Accounts.clearing);
      return {
        before: { status: 'open', clearing_fen: before },
        after: { status: 'done', clearing_fen: after, transfer: t.status },
        result: { task_id: task.id, transfer: t.status, clearing_fen: after },
      };
    });
  } catch (err) {
    if (err instanceof InsufficientFunds) return fail('ZF0264', `clearing short for ${task.amount_fen}`);
    throw err;
  }
}

/**
 * An insurer recharge: a `type=1` api_core_v2 record `admin:<reference>` (on the quota connection, never twice) through
 * the quota book's {@link rechargeQuota}, which also mirrors it `quota_issued → insurer_quota:<ic>` under the mirror's
 * one key `quota:recharge:admin:<reference>` (the same key the book's catch-up would give it, so it is mirrored once)
 * and re-arms the alert levels; then the audit row.
 */
export async function rechargeInsurer(deps: Deps, actor: AdminActor, icCode: string, amountFen: number, reference: string) {
  if (!(await deps.quota.insurerName(icCode))) return fail('ZF0263', 'insurer');
  const refNo = `admin:${reference}`;
  const prior = await transferByKey(deps.db, mirrorKey(refNo));
  if (prior && (Number(prior.amount_fen) !== amountFen || prior.to_account !== Accounts.insurerQuota(icCode)))
    fail('ZF0267', `reference ${reference} used for ${prior.amount_fen} to ${prior.to_account}`);
  if (prior) return { duplicate: true, remaining_fen: await deps.quota.remaining(icCode) };
  const before = await deps.quota.remaining(icCode);
  // The quota connection may be this one (SQLite has a single connection): record and mirror first, audit after.
  const created = await rechargeQuota(deps, icCode, amountFen, refNo);
  if (created)
    await auditedMutation(deps, actor, 'insurer.recharge', `insurer:${icCode}`, async () => ({
      before: { remaining_fen: before },
      after: { remaining_fen: before + amountFen, amount_fen: amountFen, reference },
      result: true,
    }));
  return { duplicate: !created, remaining_fen: await deps.quota.remaining(icCode) };
}
