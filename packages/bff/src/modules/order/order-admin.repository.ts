// The console's order search (order no., refer_no, claim, partner, status, day); `db` first.
import type { Db } from '../../db/database.ts';
import type { Order, OrderTable } from './order.table.ts';

export interface OrderFilter {
  q?: string;
  orderNo?: string;
  referNo?: string;
  claimNo?: string;
  partnerId?: string;
  status?: string;
  /** [from, to) in Unix ms, on created_at. */
  from?: number;
  to?: number;
}

export async function searchOrders(db: Db, f: OrderFilter, limit: number, offset: number): Promise<{ rows: Order[]; total: number }> {
  let q = db.selectFrom('orders');
  if (f.q) {
    const term = f.q;
    q = q.where((eb) => eb.or([eb('order_no', '=', term), eb('refer_no', '=', term), eb('claim_no', '=', term)]));
  }
  if (f.orderNo) q = q.where('order_no', '=', f.orderNo);
  if (f.referNo) q = q.where('refer_no', '=', f.referNo);
  if (f.claimNo) q = q.where('claim_no', '=', f.claimNo);
  if (f.partnerId) q = q.where('partner_id', '=', f.partnerId);
  if (f.status) q = q.where('status', '=', f.status as OrderTable['status']);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('order_no', 'desc').limit(limit).offset(offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}

/** Orders paid in [from, to): their count and amounts (total, insurer share, self-pay). */
export async function paidTotals(
  db: Db,
  from: number,
  to: number,
): Promise<{ count: number; amountFen: number; insurerFen: number; selfPayFen: number }> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('amount_fen').as('amount'),
      eb.fn.sum<number>('insurer_fen').as('insurer'),
      eb.fn.sum<number>('self_pay_fen').as('self'),
    ])
    .where('paid_at', '>=', from)
    .where('paid_at', '<', to)
    .where('status', 'in', ['paid', 'settled', 'paid_late'])
    .executeTakeFirst();
  return {
    count: Number(row?.n ?? 0),
    amountFen: Number(row?.amount ?? 0),
    insurerFen: Number(row?.insurer ?? 0),
    selfPayFen: Number(row?.self ?? 0),
  };
}
