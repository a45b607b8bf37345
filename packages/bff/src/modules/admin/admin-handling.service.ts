// Small audited actions of the console: alerts (acknowledge, resolve with a note), PIN unlock with a reason, and
// insurer alert levels (the quota book's warning and critical levels).
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { acknowledgeAlert, findAlert, resolveAlert } from '../alert/alert-admin.repository.ts';
import { unlockPin, userPin } from '../balance/pin-admin.repository.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { findThresholds, setThresholds } from '../quota/quota-book.repository.ts';
import { checkQuotaLevels } from '../quota/quota.service.ts';
import { alertView } from './admin-views.ts';
import { auditedMutation } from './audit.ts';

export async function acknowledge(deps: Deps, actor: AdminActor, id: string) {
  const alert = (await findAlert(deps.db, id)) ?? fail('ZF0263', 'alert');
  const done = await auditedMutation(deps, actor, 'alert.acknowledge', `alert:${id}`, async (trx) => {
    if (!(await acknowledgeAlert(trx, id, actor.username, deps.clock.now()))) return null;
    return { before: { status: alert.status }, after: { status: 'acknowledged' }, result: true };
  });
  if (!done) fail('ZF0265', 'alert not open');
  return alertView((await findAlert(deps.db, id))!);
}

export async function resolve(deps: Deps, actor: AdminActor, id: string, note: string) {
  const alert = (await findAlert(deps.db, id)) ?? fail('ZF0263', 'alert');
  const done = await auditedMutation(deps, actor, 'alert.resolve', `alert:${id}`, async (trx) => {
    if (!(await resolveAlert(trx, id, actor.username, note, deps.clock.now()))) return null;
    return { before: { status: alert.status }, after: { status: 'resolved' }, note, result: true };
  });
  if (!done) fail('ZF0265', 'alert already resolved');
  return alertView((await findAlert(deps.db, id))!);
}

/** Resets pin_failed and pin_locked_at (the PIN itself stays); the reason goes into the audit row. */
export async function unlockUserPin(deps: Deps, actor: AdminActor, userId: string, reason: string) {
  const before = (await userPin(deps.db, userId)) ?? fail('ZF0263', 'user');
  await auditedMutation(deps, actor, 'user.pin_unlock', `user:${userId}`, async (trx) => {
    await unlockPin(trx, userId);
    return {
      before: { pin_failed: Number(before.pin_failed), pin_locked_at: before.pin_locked_at === null ? null : Number(before.pin_locked_at) },
      after: { pin_failed: 0, pin_locked_at: null },
      note: reason,
      result: true,
    };
  });
  return { user_id: userId, pin_failed: 0, pin_locked: false };
}

/**
 * Sets an insurer's alert levels in the quota book (quota_thresholds): the warning level and, when given, the critical
 * one (else the prior critical level, lowered to the warning level if above it; 0 for a new insurer). A level the
 * quota is already below raises its alert now, once.
 */
export async function setWarningLevel(deps: Deps, actor: AdminActor, icCode: string, warningFen: number, criticalFen?: number) {
  if (!(await deps.quota.insurerName(icCode))) return fail('ZF0263', 'insurer');
  const prior = await findThresholds(deps.db, icCode);
  const critical = criticalFen ?? Math.min(prior ? Number(prior.critical_fen) : 0, warningFen);
  if (critical > warningFen) fail('ZF0010', 'critical level above the warning level');
  await auditedMutation(deps, actor, 'insurer.warning', `insurer:${icCode}`, async (trx) => {
    await setThresholds(trx, icCode, warningFen, critical, deps.clock.now());
    return {
      before: prior ? { warning_fen: Number(prior.warning_fen), critical_fen: Number(prior.critical_fen) } : null,
      after: { warning_fen: warningFen, critical_fen: critical },
      result: true,
    };
  });
  await checkQuotaLevels(deps, icCode);
  return { ic_code: icCode, warning_fen: warningFen, critical_fen: critical };
}
