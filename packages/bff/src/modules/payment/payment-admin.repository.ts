// The console's view of an order's payment attempts and the provider notifications about them; `db` first.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { PaymentAttempt, ProviderNotificationTable } from './payment.table.ts';

export function attemptsOfOrder(db: Db, orderNo: string): Promise<PaymentAttempt[]> {
  return db.selectFrom('payment_attempts').selectAll().where('order_no', '=', orderNo).orderBy('created_at').orderBy('id').execute();
}

export async function notificationsOf(db: Db, attemptIds: string[]): Promise<Array<Selectable<ProviderNotificationTable>>> {
  if (attemptIds.length === 0) return [];
  return db.selectFrom('provider_notifications').selectAll().where('attempt_id', 'in', attemptIds).orderBy('created_at').execute();
}
