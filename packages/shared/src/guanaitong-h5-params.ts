// The Guanaitong H5 parameters (re-exported by schemas/guanaitong.ts): a constant with no zod around it.
/**
 * Query parameters the BFF's redirects put on H5 routes (after the hash):
 * - `#/pages/cashier/cashier?order_no=&gat_pick=<token>` — show the quota picker;
 * - `#/pages/cashier/cashier?order_no=&error=<ZF code>[&reason=<failure reason>]` — the trip failed, show why;
 * - `#/pages/orders/orders?error=<ZF code>` — the trip could not be tied to an order (tampered link);
 * - `#/pages/pay-result/pay-result?order_no=` — back from Guanaitong: poll the order until the notify settles it.
 */
export const GUANAITONG_H5_PARAMS = { pick: 'gat_pick', error: 'error', reason: 'reason' } as const;
