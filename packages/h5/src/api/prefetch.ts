// Reads started ahead of the page that shows them, taken once by that page: the entry page starts the cashier's read
// when it sends the user on, so the read travels beside the cashier's chunk instead of after the page has mounted.
import type { CashierView } from '@zf/shared';
import { api } from './client.ts';

interface Pending {
  orderNo: string;
  view: Promise<{ view: CashierView; receivedAt: number }>;
}

let cashier: Pending | null = null;

/** Starts reading the cashier of `orderNo` for the cashier page to take (replacing any earlier one not taken). */
export function prefetchCashier(orderNo: string): void {
  const view = api.getCashier(orderNo).then((v) => ({ view: v, receivedAt: Date.now() }));
  // Taken later, or never (the user went elsewhere): not an unhandled rejection meanwhile.
  view.catch(() => {});
  cashier = { orderNo, view };
}

/**
 * The cashier read started for `orderNo`, once (later reads go to the server), or null. Its `server_time` is moved on
 * by the time the answer waited here, so countdowns on the server's clock start where a fresh read would put them.
 */
export function takePrefetchedCashier(orderNo: string): Promise<CashierView> | null {
  const pending = cashier;
  if (!pending || pending.orderNo !== orderNo) return null;
  cashier = null;
  return pending.view.then(({ view, receivedAt }) => {
    const server = Date.parse(view.server_time);
    const waited = Date.now() - receivedAt;
    return Number.isFinite(server) && waited > 0 ? { ...view, server_time: new Date(server + waited).toISOString() } : view;
  });
}
