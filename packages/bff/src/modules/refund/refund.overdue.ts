// REFUND_OVERDUE: a refund still `submitted` at its provider (Payzero REFUND_INIT / REFUND_REQUESTED, or no answer)
// REFUND_OVERDUE_MS after it was submitted raises one alert for the admins (pushed once to the admin webhook, like
// every alert). Each refund's alert is claimed by a conditional update, so several instances raise it once.
import { formatYuan } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { linkAlertToRefund } from '../alert/alert.repository.ts';
import { raiseAlert } from '../alert/alert.service.ts';
import { markOverdueAlerted, overdueRefunds } from './refund-admin.repository.ts';

/** How long a refund may stay submitted at the provider before an admin is told: 24 hours. */
export const REFUND_OVERDUE_MS = 24 * 3600_000;

/** The job: raises REFUND_OVERDUE for refunds submitted more than REFUND_OVERDUE_MS ago. Returns how many it raised. */
export async function raiseOverdueRefunds(deps: Deps, limit = 100): Promise<number> {
  const now = deps.clock.now();
  let raised = 0;
  for (const r of await overdueRefunds(deps.db, now - REFUND_OVERDUE_MS, limit)) {
    const dedupeKey = `REFUND_OVERDUE:${r.refund_no}`;
    const since = Number(r.submitted_at ?? r.created_at);
    await inTransaction(deps.db, async (trx) => {
      if (!(await markOverdueAlerted(trx, r.refund_no, now))) return;
      await raiseAlert(trx, deps.logger, {
        kind: 'REFUND_OVERDUE',
        dedupeKey,
        orderNo: r.order_no,
        amountFen: Number(r.amount_fen),
        detail: `refund ${r.refund_no} (${formatYuan(r.amount_fen)}, ${r.method}) still submitted at the provider after ${Math.floor((now - since) / 3600_000)} h: ${r.provider_status ?? 'no answer'}`,
        now,
      });
      await linkAlertToRefund(trx, dedupeKey, r.refund_no);
      raised++;
    });
  }
  return raised;
}
