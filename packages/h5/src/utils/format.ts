// Display formats the wallet uses besides money (money is `formatCny` from @zf/shared).
import type { OrderView } from '@zf/shared';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const dateOnly = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

function parts(format: Intl.DateTimeFormat, iso: string): Record<string, string> | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
}

/** An ISO timestamp as `2026-11-22 10:05` in Beijing time; the input itself when it is not a date. */
export function formatDateTime(iso: string): string {
  const p = parts(dateTime, iso);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : iso;
}

/** An ISO date or timestamp as `2026-11-22` in Beijing time; the input itself when it is not a date. */
export function formatDate(iso: string): string {
  const p = parts(dateOnly, iso);
  return p ? `${p.year}-${p.month}-${p.day}` : iso;
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

/** Whether the order can still be paid (open, not paid, not being paid). */
export function canPayAgain(order: OrderView): boolean {
  return order.status === 'open' && (order.display === 'unpaid' || order.display === 'failed');
}

/** Whether the order's payment is over on the user's side: paid or settled (possibly by the insurer alone). */
export function isPaid(order: OrderView): boolean {
  return order.display === 'paid' || order.status === 'paid' || order.status === 'settled' || order.status === 'paid_late';
}
