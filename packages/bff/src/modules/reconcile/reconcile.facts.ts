// The facts the reconciliation compares, gathered per page of orders: one query for each related table (attempts,
// transfers, holds, final callbacks, clearing tasks, alerts, extra-payment refunds, type 2 records, provider
// notifications), keyed by the page's order numbers (or its paid attempts' ids), never a query per order.
import type { Deps } from '../../deps.ts';
import type { Order } from '../order/order.table.ts';
import type { PaymentAttempt } from '../payment/payment.table.ts';
import type { QuotaRecord } from '../quota/quota.repository.ts';
import type { ExtraRefundFacts } from './reconcile.extra.ts';
import type { OrderFacts } from './reconcile.rules.ts';
import * as repo from './reconcile.repository.ts';

/** Orders per page: one round of queries each. */
export const PAGE_SIZE = 200;

export interface PageFacts {
  facts: (order: Order) => OrderFacts;
  refunds: (orderNo: string) => ExtraRefundFacts[];
  quotaRecords: (orderNo: string) => QuotaRecord[];
  /** The recorded provider notifications of an attempt. */
  notifications: (attemptId: string) => Array<{ dedupe_key: string; payload: string }>;
}

const groupBy = <T, K>(rows: T[], key: (r: T) => K) => {
  const m = new Map<K, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return (k: K) => m.get(k) ?? [];
};

/** The provider-paid attempts reconciliation checks with the provider's own record. */
export const providerPaid = (attempts: PaymentAttempt[]) =>
  attempts.filter((a) => a.status === 'succeeded' && (a.method === 'card' || a.method === 'guanaitong'));

/** Everything the checks need for `orders` (a page), in one query per table. */
export async function loadPage(deps: Deps, orders: Order[]): Promise<PageFacts> {
  const { db } = deps;
  const nos = orders.map((o) => o.order_no);
  const [attemptRows, transferRows, holdRows, finalRows, taskRows, alertRows, refundRows, records] = await Promise.all([
    repo.attemptsOfOrders(db, nos),
    repo.transfersOfOrders(db, nos),
    repo.holdsOfOrders(db, nos),
    repo.finalCallbacksOfOrders(db, nos),
    repo.clearingTasksOfOrders(db, nos),
    repo.alertKeysOfOrders(db, nos),
    repo.extraRefundsOfOrders(db, nos),
    deps.quota.recordsByRefs(nos),
  ]);
  const notes = await repo.notificationsOfAttempts(
    db,
    providerPaid(attemptRows).map((a) => a.id),
  );
  const attempts = groupBy(attemptRows, (a) => a.order_no);
  const transfers = groupBy(transferRows, (t) => t.order_no);
  const holds = groupBy(holdRows, (h) => h.order_no);
  const finals = groupBy(finalRows, (c) => c.order_no);
  const tasks = groupBy(taskRows, (t) => t.order_no);
  const alerts = groupBy(alertRows, (a) => a.order_no);
  return {
    facts: (order) => ({
      order,
      attempts: attempts(order.order_no),
      transfers: transfers(order.order_no).map((t) => ({ key: t.idempotency_key, amountFen: Number(t.amount_fen) })),
      holds: holds(order.order_no).map((h) => ({ key: h.idempotency_key, status: h.status })),
      finalCallbacks: finals(order.order_no),
      clearingTaskFen: tasks(order.order_no).reduce((s, t) => s + Number(t.amount_fen), 0) || null,
      clearingTaskDone: tasks(order.order_no).some((t) => t.status === 'done'),
      alertKinds: new Set(alerts(order.order_no).map((a) => a.kind)),
      deadAlerts: new Set(
        alerts(order.order_no)
          .filter((a) => a.kind === 'CALLBACK_DEAD')
          .map((a) => a.dedupe_key.split(':')[1] ?? ''),
      ),
    }),
    refunds: groupBy(refundRows, (r) => r.order_no),
    quotaRecords: groupBy(records, (r) => r.refNo),
    notifications: groupBy(notes, (n) => n.attempt_id),
  };
}
