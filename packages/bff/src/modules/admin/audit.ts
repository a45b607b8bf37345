// The audit log: every admin mutation writes one append-only row in the SAME transaction as the change it records.
import { inTransaction, type Trx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { newId } from '../../lib/ids.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { insertAudit } from './admin.repository.ts';

export interface AuditedChange<T> {
  before: unknown;
  after: unknown;
  /** A note (the reason of a PIN unlock, an alert's resolution), kept in `detail`. */
  note?: string | null;
  result: T;
}

/**
 * Runs `fn` in a transaction and records who (username, role), what (`action`, `target`), the before/after state,
 * the request id and the time in the same transaction: the change and its audit row commit together or not at all.
 * `fn` returning `null` means nothing changed: no audit row is written.
 */
export async function auditedMutation<T>(
  deps: Deps,
  actor: AdminActor,
  action: string,
  target: string,
  fn: (trx: Trx) => Promise<AuditedChange<T> | null>,
): Promise<T | null> {
  return inTransaction(deps.db, async (trx) => {
    const change = await fn(trx);
    if (change === null) return null;
    const now = deps.clock.now();
    await insertAudit(trx, {
      id: newId('AU', now, deps.random),
      actor: actor.username,
      role: actor.role,
      action,
      target: target.slice(0, 128),
      detail: change.note ?? null,
      before_json: change.before === undefined ? null : JSON.stringify(change.before),
      after_json: change.after === undefined ? null : JSON.stringify(change.after),
      request_id: actor.requestId,
      created_at: now,
    });
    return change.result;
  });
}
