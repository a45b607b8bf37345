// What the console reads of refunds: the list with its filters; `db` first.
import type { Db } from '../../db/database.ts';
import type { Refund } from './refund.table.ts';

export interface RefundFilter {
  status?: Refund['status'];
  /** Only refunds waiting for an admin (the merchant's ledger was short). */
  task?: boolean;
  partnerId?: string;
  orderNo?: string;
  from?: number;
  to?: number;
}

export async function listRefunds(db: Db, f: RefundFilter, limit: number, offset: number): Promise<{ rows: Refund[]; total: number }> {
  const q = db
    .selectFrom('refunds')
    .$if(f.status !== undefined, (w) => w.where('status', '=', f.status!))
    .$if(f.task === true, (w) => w.where('task_status', '=', 'open'))
    .$if(f.partnerId !== undefined, (w) => w.where('partner_id', '=', f.partnerId!))
    .$if(f.orderNo !== undefined, (w) => w.where('order_no', '=', f.orderNo!))
    .$if(f.from !== undefined, (w) => w.where('created_at', '>=', f.from!))
    .$if(f.to !== undefined, (w) => w.where('created_at', '<', f.to!));
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('refund_no', 'desc').limit(limit).offset(offset).execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

/** Refunds still `submitted` at the provider since before `cutoff` and not yet alerted (oldest first). */
export function overdueRefunds(db: Db, cutoff: number, limit: number): Promise<Refund[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', '=', 'submitted')
    .where('overdue_alerted_at', 'is', null)
    .where((eb) => eb.or([eb('submitted_at', '<=', cutoff), eb.and([eb('submitted_at', 'is', null), eb('created_at', '<=', cutoff)])]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Claims a refund's one REFUND_OVERDUE alert: true for the one caller that wins. */
export async function markOverdueAlerted(db: Db, refundNo: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('refunds')
    .set({ overdue_alerted_at: now })
    .where('refund_no', '=', refundNo)
    .where('status', '=', 'submitted')
    .where('overdue_alerted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
