// Display formats the wallet uses besides money (money is `formatCny` from @zf/shared).
import type { OrderView, SessionResponse } from '@zf/shared';

// Beijing time is UTC+8 all year (no daylight saving since 1991), so its calendar fields are the UTC fields of the
// instant 8 hours on. No Intl.DateTimeFormat: building one for a time zone loads ICU's zone data, which measured as the
// entry page's longest task (≈ 100 ms at Lighthouse's 4× CPU slowdown) once the policy cards showed their dates.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const two = (n: number) => String(n).padStart(2, '0');

function beijing(iso: string): { date: string; time: string } | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + BEIJING_OFFSET_MS);
  if (!Number.isFinite(d.getTime())) return null;
  return {
    date: `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`,
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
  };
}

/** An ISO timestamp as `2026-11-22 10:05` in Beijing time; the input itself when it is not a date. */
export function formatDateTime(iso: string): string {
  const b = beijing(iso);
  return b ? `${b.date} ${b.time}` : iso;
}

/** An ISO date or timestamp as `2026-11-22` in Beijing time; the input itself when it is not a date. */
export function formatDate(iso: string): string {
  return beijing(iso)?.date ?? iso;
}

/** A ratio in basis points as a percentage: 8000 → "80%", 8550 → "85.5%". */
export function formatRatio(ratioBp: number): string {
  return `${Number((ratioBp / 100).toFixed(2))}%`;
}

/** What the user sees for each `OrderView.display`. */
export const DISPLAY_LABELS: Record<OrderView['display'], string> = {
  unpaid: '待支付',
  processing: '处理中',
  paid: '支付成功',
  failed: '支付失败',
  closed: '已关闭',
};

/** The user cancelled the last attempt themselves (left Guanaitong's cashier): not a failure to alarm them with. */
export function isCancelled(order: OrderView): boolean {
  return order.display === 'failed' && order.last_attempt?.failure_reason === 'cancelled';
}

/** The status the user reads: {@link DISPLAY_LABELS}, except 已取消 for an attempt the user cancelled. */
export function displayLabel(order: OrderView): string {
  return isCancelled(order) ? '已取消' : DISPLAY_LABELS[order.display];
}

/** The order will not change any more on the user's side: paid (or settled) or closed. */
export function isFinal(order: OrderView): boolean {
  return isPaid(order) || order.display === 'closed' || order.status === 'closed';
}

/** Whether the order can still be paid (open, not paid, not being paid). */
export function canPayAgain(order: OrderView): boolean {
  return order.status === 'open' && (order.display === 'unpaid' || order.display === 'failed');
}

/** Whether the order's payment is over on the user's side: paid or settled (possibly by the insurer alone). */
export function isPaid(order: OrderView): boolean {
  return order.display === 'paid' || order.status === 'paid' || order.status === 'settled' || order.status === 'paid_late';
}

/**
 * Whether this session may pay the order again: it can still be paid, and it is this link's order (same refer_no,
 * and same partner when the BFF says which). The records list every order of the user; the others are read-only.
 */
export function canPayHere(order: OrderView, session: Pick<SessionResponse, 'refer_no' | 'partner_id'> | null): boolean {
  if (!session || order.refer_no !== session.refer_no) return false;
  if (order.partner_id !== undefined && order.partner_id !== session.partner_id) return false;
  return canPayAgain(order);
}

/** What each payment method is called in the records. */
export const PAY_METHOD_LABELS: Record<string, string> = {
  balance: '余额支付',
  card: '绑卡支付',
  guanaitong: '关爱通',
  insurer_only: '保险公司全额支付',
};
