// 更换保单 (issue 13 defect 3): the user closes the open order of this link at the cashier to pick another policy.
// Allowed only while no attempt of any method is in flight — closing under a payment the bank or Guanaitong may still
// complete would turn it into a LATE_PAYMENT. The partner hears `closed` (final); the refer_no is free for a new order.
import type { OrderView } from '@zf/shared';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';
import { findOrder, lockOrder } from '../order/order.repository.ts';
import { closeOrder, orderForSession, viewOrder } from '../order/order.service.ts';
import { findAnyInFlightAttempt } from './payment.repository.ts';
import { assertPayable } from './payment.service.ts';

/**
 * Closes the session's open order (`POST /api/orders/:orderNo/close`). ZF0060 for another's order, ZF0080 when paid,
 * ZF0070 when already closed or expired, ZF0170 while an attempt is in flight. Under the order row's lock (MySQL), so
 * it serializes with card pay requests; a balance payment racing it loses or wins the conditional open → paid/closed.
 */
export async function closeOrderByUser(deps: Deps, session: Session, orderNo: string): Promise<{ order: OrderView }> {
  const { db, clock } = deps;
  const order = await orderForSession(db, session, orderNo);
  assertPayable(order, clock.now());
  await inTransaction(db, async (trx) => {
    const now = clock.now();
    const fresh = await lockOrder(trx, orderNo, deps.dialect === 'mysql');
    if (!fresh) return fail('ZF0060');
    assertPayable(fresh, now);
    const inFlight = await findAnyInFlightAttempt(trx, orderNo, deps.dialect === 'mysql');
    if (inFlight) return fail('ZF0170', `${inFlight.method} attempt ${inFlight.id} in flight`);
    if (!(await closeOrder(deps, trx, fresh, now, '用户更换保单，订单已关闭'))) fail('ZF0080', 'order changed state while closing');
  });
  deps.logger.info({ order_no: orderNo, user_id: session.userId }, 'order closed by the user (policy change)');
  const closed = await findOrder(db, orderNo);
  return { order: await viewOrder(deps, closed ?? order) };
}
