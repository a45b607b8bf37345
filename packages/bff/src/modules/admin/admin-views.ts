// Shared helpers of the admin API: paging, Asia/Shanghai days, and how rows are shown (amounts in fen + yuan).
import { formatYuan } from '@zf/shared';
import type { AlertRow, ClearingTaskRow } from '../alert/alert-admin.repository.ts';
import type { CallbackEventRow } from '../callback/callback.table.ts';
import type { DeliveryRow } from '../callback/callback-admin.repository.ts';
import type { Order } from '../order/order.table.ts';

const DAY = 86_400_000;
const SHANGHAI = 8 * 3600_000;

export const pageOf = (p: { page: number; size: number }) => ({ limit: p.size, offset: (p.page - 1) * p.size });

export function paged<T>(items: T[], total: number, p: { page: number; size: number }) {
  return { items, total, page: p.page, size: p.size };
}

/** [start, end) of the Asia/Shanghai calendar day containing `ms`. */
export function shanghaiDay(ms: number): { from: number; to: number } {
  const from = Math.floor((ms + SHANGHAI) / DAY) * DAY - SHANGHAI;
  return { from, to: from + DAY };
}

/** [start, end) of an Asia/Shanghai calendar day given as YYYY-MM-DD. */
export function shanghaiDate(date: string): { from: number; to: number } {
  const [y, m, d] = date.split('-').map(Number);
  const from = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) - SHANGHAI;
  return { from, to: from + DAY };
}

export const money = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? null : { fen: Number(fen), yuan: formatYuan(Number(fen)) };

export function alertView(a: AlertRow) {
  return {
    id: a.id,
    kind: a.kind,
    order_no: a.order_no,
    amount: money(a.amount_fen),
    detail: a.detail,
    status: a.status,
    created_at: Number(a.created_at),
    acknowledged_at: a.acknowledged_at === null ? null : Number(a.acknowledged_at),
    acknowledged_by: a.acknowledged_by,
    resolved_at: a.resolved_at === null ? null : Number(a.resolved_at),
    resolved_by: a.resolved_by,
    resolution_note: a.resolution_note,
  };
}

export function taskView(t: ClearingTaskRow, now: number) {
  return {
    id: t.id,
    order_no: t.order_no,
    amount: money(t.amount_fen),
    to_account: t.to_account,
    due_at: Number(t.due_at),
    overdue: t.status === 'open' && Number(t.due_at) < now,
    status: t.status,
    done_at: t.done_at === null ? null : Number(t.done_at),
    done_by: t.done_by,
    created_at: Number(t.created_at),
  };
}

export function orderView(o: Order) {
  return {
    order_no: o.order_no,
    partner_id: o.partner_id,
    refer_no: o.refer_no,
    claim_no: o.claim_no,
    user_id: o.user_id,
    policy_no: o.policy_no,
    ic_code: o.ic_code,
    amount: money(o.amount_fen),
    insurer: money(o.insurer_fen),
    self_pay: money(o.self_pay_fen),
    status: o.status,
    settlement_step: o.settlement_step,
    marker: o.marker,
    callback_url: o.callback_url,
    deadline_at: Number(o.deadline_at),
    paid_at: o.paid_at === null ? null : Number(o.paid_at),
    created_at: Number(o.created_at),
  };
}

export function deliveryView(d: DeliveryRow) {
  return {
    attempt: Number(d.attempt),
    status_code: d.status_code === null ? null : Number(d.status_code),
    error: d.error,
    duration_ms: Number(d.duration_ms),
    at: Number(d.created_at),
  };
}

export function eventView(e: CallbackEventRow, deliveries: DeliveryRow[] = []) {
  return {
    event_id: e.id,
    order_no: e.order_no,
    partner_id: e.partner_id,
    url: e.url,
    event: e.event,
    seq: Number(e.seq),
    final: Boolean(e.final),
    status: e.status,
    attempts: Number(e.attempts),
    next_attempt_at: Number(e.next_attempt_at),
    last_status: e.last_status === null ? null : Number(e.last_status),
    last_error: e.last_error,
    delivered_at: e.delivered_at === null ? null : Number(e.delivered_at),
    created_at: Number(e.created_at),
    payload: e.payload,
    deliveries: deliveries.filter((d) => d.event_id === e.id).map(deliveryView),
  };
}
