// Alerts to admins (quota short, clearing ledger short, late payment…) and manual clearing tasks.
import type { Db } from '../../db/database.ts';
import { insertPush } from './alert-push.repository.ts';
import { robotMessage } from './alert-push.worker.ts';
import { insertAlert, insertClearingTask } from './alert.repository.ts';
import type { AlertTable } from './alert.table.ts';
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';

export interface AlertInput {
  kind: AlertTable['kind'];
  /** One alert per key: raising it again (a retried settlement step) changes nothing. */
  dedupeKey: string;
  orderNo?: string | null;
  amountFen?: number | null;
  detail: string;
  now: number;
}

/** Records an alert for admins (idempotent per dedupe key) and logs it; returns false when it already existed. */
export async function raiseAlert(db: Db, logger: Logger, input: AlertInput): Promise<boolean> {
  const id = newId('AL', input.now);
  const created = await insertAlert(db, {
    id,
    kind: input.kind,
    dedupe_key: input.dedupeKey,
    order_no: input.orderNo ?? null,
    amount_fen: input.amountFen ?? null,
    detail: input.detail.slice(0, 255),
    status: 'open',
    created_at: input.now,
    acknowledged_at: null,
  });
  if (!created) return false;
  // One push per alert, in the alert's transaction: a retried cause raises no new alert, so no second push.
  await insertPush(db, {
    id: newId('AP', input.now),
    alertId: id,
    payload: robotMessage({
      kind: input.kind,
      orderNo: input.orderNo ?? null,
      amountFen: input.amountFen ?? null,
      detail: input.detail,
      at: input.now,
    }),
    now: input.now,
  });
  logger.warn({ alert: input.kind, order_no: input.orderNo, amount_fen: input.amountFen }, `ALERT ${input.kind}: ${input.detail}`);
  return true;
}

/**
 * The due time of a manual clearing task: today's cut-off (Asia/Shanghai, "HH:MM"), or tomorrow's when today's
 * has already passed.
 */
export function clearingDueAt(now: number, cutoff: string): number {
  const [h = 17, m = 0] = cutoff.split(':').map(Number);
  const shanghai = new Date(now + 8 * 3600_000);
  let due = Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth(), shanghai.getUTCDate(), h, m) - 8 * 3600_000;
  if (due <= now) due += 24 * 3600_000;
  return due;
}

/** Parks an insurer share the clearing ledger could not cover, for an admin to clear by hand (once per order). */
export async function createClearingTask(
  db: Db,
  input: { orderNo: string; amountFen: number; toAccount: string; dueAt: number; now: number },
): Promise<void> {
  await insertClearingTask(db, {
    id: newId('CT', input.now),
    order_no: input.orderNo,
    amount_fen: input.amountFen,
    to_account: input.toAccount,
    due_at: input.dueAt,
    status: 'open',
    done_at: null,
    done_by: null,
    created_at: input.now,
  });
}
