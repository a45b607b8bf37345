// The console's reconciliation runs (`/api/admin/reconcile/runs`): the list, one run with its differences by check,
// and 立即对账 for a window; with the Chinese names of the checks, states and who ran it.
import type { AdminPage } from '@zf/shared';
import { qs, request, seg } from './admin-client.ts';

export interface AdminReconcileRun {
  id: string;
  since: number;
  until: number;
  ran_by: string;
  state: 'running' | 'done' | 'failed' | 'interrupted';
  started_at: number;
  finished_at: number | null;
  orders: number;
  orders_done: number;
  insurers: number;
  provider_checks: number;
  differences: number;
  error: string | null;
}

export interface AdminReconcileGroup {
  check: string;
  count: number;
  items: Array<{ order_no: string | null; ic_code: string | null; detail: string }>;
}

export const reconcileApi = {
  runs: (q: { page: number }) => request<AdminPage<AdminReconcileRun>>('GET', `/reconcile/runs${qs(q)}`),
  run: (id: string) => request<{ run: AdminReconcileRun; groups: AdminReconcileGroup[] }>('GET', `/reconcile/runs/${seg(id)}`),
  start: (since: number, until: number) => request<{ run: AdminReconcileRun }>('POST', '/reconcile/runs', { since, until }),
};

export const CHECK_LABEL: Record<string, string> = {
  order_state: '订单状态与支付记录不符',
  settlement: '结算未完成',
  transfers: '账务流水不符',
  holds: '冻结未释放',
  callback: '最终回调未送达',
  quota_record: '保司额度扣减记录不符',
  quota_book: '额度账本与记录不符',
  quota_mirror: '额度记录与账簿不符',
  provider_record: '与支付渠道记录不符',
  provider_unchecked: '未能向支付渠道核对',
  extra_refund: '迟到 / 重复支付的退款不符',
  ledger: '账簿不平',
};

export const RUN_STATE: Record<AdminReconcileRun['state'], string> = {
  running: '进行中',
  done: '已完成',
  failed: '失败',
  interrupted: '已中断',
};

export const ranByLabel = (ranBy: string): string =>
  ranBy === 'job' ? '每日任务' : ranBy === 'cli' ? '命令行' : ranBy.startsWith('admin:') ? `管理员 ${ranBy.slice(6)}` : ranBy;

const SHANGHAI = 8 * 3600_000;
/** Unix ms as the value of a datetime-local input, in Beijing time (`2026-12-02T09:30`). */
export const toLocalInput = (ms: number): string => new Date(ms + SHANGHAI).toISOString().slice(0, 16);
/** A datetime-local input's value read as Beijing time; NaN when empty or malformed. */
export const fromLocalInput = (value: string): number =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? Date.parse(`${value}:00+08:00`) : Number.NaN;
