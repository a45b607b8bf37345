// The typed client of the BFF's admin API: its own token (header `x-admin-token`, kept in sessionStorage under its own
// key), never the wallet's bearer session. Loaded only by the lazily-loaded admin pages.
import type { AdminPage, AdminRole } from '@zf/shared';
import { ApiError } from './api-error.ts';
import { API_BASE, unwrap } from './client.ts';

const TOKEN_KEY = 'zf.admin.token';

export interface Money {
  fen: number;
  yuan: string;
}
export interface AdminMe {
  username: string;
  role: AdminRole;
}
export interface AdminAlert {
  id: string;
  kind: string;
  order_no: string | null;
  amount: Money | null;
  detail: string;
  status: 'open' | 'acknowledged' | 'resolved';
  created_at: number;
  acknowledged_by: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
}
export interface AdminTask {
  id: string;
  order_no: string;
  amount: Money;
  to_account: string;
  due_at: number;
  overdue: boolean;
  status: 'open' | 'done';
  done_at: number | null;
  done_by: string | null;
}
export interface AdminDelivery {
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: number;
}
export interface AdminEvent {
  event_id: string;
  order_no: string;
  partner_id: string;
  url: string;
  event: string;
  seq: number;
  final: boolean;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  deliveries: AdminDelivery[];
}
export interface AdminOrder {
  order_no: string;
  partner_id: string;
  refer_no: string;
  claim_no: string;
  amount: Money;
  insurer: Money;
  self_pay: Money;
  status: string;
  settlement_step: string | null;
  created_at: number;
  paid_at: number | null;
}
export interface AdminOverview {
  open_alerts: Record<string, number>;
  overdue_tasks: number;
  dead_callbacks: number;
  clearing_balance: Money;
  insurers_below_warning: Array<{ ic_code: string; name: string; quota: Money; warning: Money }>;
  today: { paid_orders: number; amount: Money; insurer: Money; self_pay: Money };
}
export interface AdminInsurer {
  ic_code: string;
  name: string;
  quota: Money;
  held: Money;
  available: Money;
  warning: Money;
  critical: Money;
  below_warning: boolean;
  below_critical: boolean;
}
export interface AdminPartner {
  id: string;
  name: string;
  callback_hosts: string[];
  disabled: boolean;
  link_overlap_until: number | null;
  callback_overlap_until: number | null;
  api_overlap_until: number | null;
  has_api_secret: boolean;
}
export interface AdminUserRow {
  id: string;
  name: string;
  claim_nos: string[];
  pin_failed: number;
  pin_locked_at: number | null;
}
export interface AdminLedger {
  accounts: Array<{ id: string; book: string; kind: string; balance: Money; held: Money; incoming: Money }>;
  check: { ok: boolean; book_totals: Record<string, number>; drifted: string[]; pending_drifted: string[]; negative: string[] };
}
export interface AdminAudit {
  id: string;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  note: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
  at: number;
}
export interface AdminRefund {
  refund_no: string;
  partner_refund_no: string;
  order_no: string;
  partner_id: string;
  kind: 'order' | 'extra_attempt';
  attempt_id: string;
  method: string;
  amount: Money;
  insurer: Money;
  self_pay: Money;
  reason: string;
  source: 'partner' | 'admin' | 'auto';
  status: 'requested' | 'submitted' | 'succeeded' | 'failed';
  waiting_for_admin: boolean;
  task_status: string;
  task_done_by: string | null;
  provider_ref: string | null;
  provider_status: string | null;
  provider_detail: string | null;
  created_at: number;
  finished_at: number | null;
}
export interface AdminRefundLegs extends AdminRefund {
  legs: Array<{ key: string; from: string; to: string; amount: Money; at: number }>;
  quota_records: Array<{ id: string; ic_code: string; type: number; amount: Money; at: number }>;
}
export interface AdminTimeline {
  order: AdminOrder;
  refunds: AdminRefundLegs[];
  attempts: Array<{
    id: string;
    method: string;
    amount: Money;
    status: string;
    failure_reason: string | null;
    internal_reason: string | null;
    created_at: number;
    notifications: Array<{ provider: string; dedupe_key: string; at: number }>;
  }>;
  transfers: Array<{ key: string; from: string; to: string; amount: Money; memo: string; at: number }>;
  quota_records: Array<{ id: string; ic_code: string; type: number; amount: Money; at: number }>;
  alerts: AdminAlert[];
  clearing_tasks: AdminTask[];
  callbacks: AdminEvent[];
}

export const adminToken = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = adminToken.get();
  if (token) headers['x-admin-token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('ZF0130', 0);
  }
  return unwrap<T>(response);
}

export const qs = (q: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
export const seg = encodeURIComponent;

export const adminApi = {
  signIn: (username: string, password: string) =>
    request<AdminMe & { token: string; expires_at: number }>('POST', '/session', { username, password }),
  me: () => request<AdminMe>('GET', '/session'),
  signOut: () => request<{ ok: true }>('DELETE', '/session'),
  overview: () => request<AdminOverview>('GET', '/overview'),
  alerts: (q: { kind?: string; status?: string; page: number }) => request<AdminPage<AdminAlert>>('GET', `/alerts${qs(q)}`),
  acknowledge: (id: string) => request<AdminAlert>('POST', `/alerts/${seg(id)}/acknowledge`),
  resolve: (id: string, note: string) => request<AdminAlert>('POST', `/alerts/${seg(id)}/resolve`, { note }),
  tasks: (q: { status?: string; page: number }) => request<AdminPage<AdminTask>>('GET', `/clearing/tasks${qs(q)}`),
  completeTask: (id: string) =>
    request<{ task_id: string; transfer: string; clearing_fen: number }>('POST', `/clearing/tasks/${seg(id)}/complete`),
  rechargeClearing: (amount: string, reference: string) =>
    request<{ duplicate: boolean; balance_fen: number }>('POST', '/clearing/recharge', { amount, reference }),
  insurers: () => request<{ items: AdminInsurer[] }>('GET', '/insurers'),
  insurer: (ic: string) =>
    request<AdminInsurer & { records: Array<{ id: string; type: number; amount: Money; ref_no: string; created_at: number }> }>(
      'GET',
      `/insurers/${seg(ic)}`,
    ),
  rechargeInsurer: (ic: string, amount: string, reference: string) =>
    request<{ duplicate: boolean; remaining_fen: number }>('POST', `/insurers/${seg(ic)}/recharge`, { amount, reference }),
  setWarning: (ic: string, warning_amount: string, critical_amount?: string) =>
    request<unknown>('PUT', `/insurers/${seg(ic)}/warning`, critical_amount ? { warning_amount, critical_amount } : { warning_amount }),
  orders: (q: { q?: string; status?: string; partner_id?: string; date?: string; page: number }) =>
    request<AdminPage<AdminOrder>>('GET', `/orders${qs(q)}`),
  timeline: (orderNo: string) => request<AdminTimeline>('GET', `/orders/${seg(orderNo)}`),
  callbacks: (q: { partner_id?: string; status?: string; order_no?: string; page: number }) =>
    request<AdminPage<AdminEvent>>('GET', `/callbacks${qs(q)}`),
  replay: (eventId: string) => request<{ event_id: string; status: string }>('POST', `/callbacks/${seg(eventId)}/replay`),
  replayDead: (partnerId: string) => request<{ replayed: number }>('POST', `/partners/${seg(partnerId)}/callbacks/replay-dead`),
  testCallback: (partnerId: string, event: string, url: string) =>
    request<{ delivered: boolean; status_code: number | null; error: string | null }>(
      'POST',
      `/partners/${seg(partnerId)}/callbacks/test`,
      { event, url },
    ),
  partners: () => request<{ items: AdminPartner[] }>('GET', '/partners'),
  createPartner: (id: string, name: string, callback_hosts: string[]) =>
    request<{ partner: AdminPartner; link_secret: string; callback_secret: string; api_secret: string }>('POST', '/partners', {
      id,
      name,
      callback_hosts,
    }),
  setPartnerDisabled: (id: string, disabled: boolean) =>
    request<AdminPartner>('POST', `/partners/${seg(id)}/${disabled ? 'disable' : 'enable'}`),
  setHosts: (id: string, callback_hosts: string[]) => request<AdminPartner>('PUT', `/partners/${seg(id)}/hosts`, { callback_hosts }),
  rotate: (id: string, which: 'link' | 'callback' | 'api') =>
    request<{ secret: string; overlap_until: number }>('POST', `/partners/${seg(id)}/rotate`, { which }),
  users: (q: { q?: string; locked?: string; page: number }) => request<AdminPage<AdminUserRow>>('GET', `/users${qs(q)}`),
  unlockPin: (userId: string, reason: string) => request<unknown>('POST', `/users/${seg(userId)}/unlock-pin`, { reason }),
  ledger: () => request<AdminLedger>('GET', '/ledger'),
  refunds: (q: { status?: string; task?: string; partner_id?: string; order_no?: string; date?: string; page: number }) =>
    request<AdminPage<AdminRefund>>('GET', `/refunds${qs(q)}`),
  refundOrder: (orderNo: string, amount: string, reason: string, refund_no: string) =>
    request<{ created: boolean; refund: AdminRefund }>('POST', `/orders/${seg(orderNo)}/refunds`, { amount, reason, refund_no }),
  retryRefund: (refundNo: string) => request<{ refund: AdminRefund }>('POST', `/refunds/${seg(refundNo)}/retry`),
  completeRefund: (refundNo: string) => request<{ refund: AdminRefund }>('POST', `/refunds/${seg(refundNo)}/complete`),
  refundAttempt: (attemptId: string) => request<{ refund: AdminRefund }>('POST', `/attempts/${seg(attemptId)}/refund`),
  audit: (q: { actor?: string; action?: string; date?: string; page: number }) => request<AdminPage<AdminAudit>>('GET', `/audit${qs(q)}`),
};

/** `¥1,234.50` from a Money; `—` when absent. */
export const yuan = (m: Money | null | undefined): string => (m ? `¥${m.yuan}` : '—');

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
/** Unix ms as Beijing time `2026/12/01 18:05:09`. */
export const shTime = (ms: number | null | undefined): string => (ms ? fmt.format(ms) : '—');

/** A refund number for the console's refund form: drawn once per form, so a double click sends the same one. */
export const newRefundNo = (): string =>
  `ADM${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .toUpperCase()
    .padStart(6, '0')}`;

export const REFUND_STATUS: Record<AdminRefund['status'], string> = {
  requested: '已受理',
  submitted: '退款中',
  succeeded: '退款成功',
  failed: '退款失败',
};
