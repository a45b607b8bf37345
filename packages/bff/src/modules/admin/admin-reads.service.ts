// What the console shows: the overview, insurers with their quota, an order's timeline, the ledger.
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { Accounts, balanceOf, checkLedger, ledgerIsClean, listAccounts, transfersOfOrder } from '../../ledger/ledger.ts';
import { alertsOfOrder, clearingTasksOfOrder, overdueTaskCount, unresolvedAlertCounts } from '../alert/alert-admin.repository.ts';
import { deadEventCount, deliveriesOf, eventsOfOrder } from '../callback/callback-admin.repository.ts';
import { paidTotals } from '../order/order-admin.repository.ts';
import { findOrder } from '../order/order.repository.ts';
import { attemptsOfOrder, notificationsOf } from '../payment/payment-admin.repository.ts';
import { allThresholds } from '../quota/quota-book.repository.ts';
import { availableQuota } from '../quota/quota.service.ts';
import { refundsOfOrder } from '../refund/refund.repository.ts';
import { refundAdminView } from './admin-refunds.service.ts';
import { alertView, eventView, money, orderView, shanghaiDay, taskView } from './admin-views.ts';

/** Every insurer with its quota (Σ type 1 − Σ type 2 of the api_core_v2 records), alert levels and whether below them. */
export async function insurers(deps: Deps) {
  const levels = new Map(
    (await allThresholds(deps.db)).map((t) => [t.ic_code, { warning: Number(t.warning_fen), critical: Number(t.critical_fen) }]),
  );
  const out = [];
  for (const i of await deps.quota.insurers()) {
    const { remainingFen: remaining, heldFen } = await availableQuota(deps, i.ic_code);
    const level = levels.get(i.ic_code) ?? { warning: 0, critical: 0 };
    out.push({
      ic_code: i.ic_code,
      name: i.name,
      quota: money(remaining),
      held: money(heldFen),
      available: money(remaining - heldFen),
      warning: money(level.warning),
      critical: money(level.critical),
      below_warning: remaining < level.warning,
      below_critical: remaining < level.critical,
    });
  }
  return out;
}

export async function insurerDetail(deps: Deps, icCode: string) {
  const all = await insurers(deps);
  const insurer = all.find((i) => i.ic_code === icCode) ?? fail('ZF0263', 'insurer');
  const records = await deps.quota.records({ icCode }, 50);
  return {
    ...insurer,
    records: records.map((r) => ({ id: r.id, type: r.type, amount: money(r.amountFen), ref_no: r.refNo, created_at: r.createdAt })),
  };
}

export async function overview(deps: Deps) {
  const now = deps.clock.now();
  const today = shanghaiDay(now);
  const paid = await paidTotals(deps.db, today.from, today.to);
  return {
    now,
    open_alerts: await unresolvedAlertCounts(deps.db),
    overdue_tasks: await overdueTaskCount(deps.db, now),
    dead_callbacks: await deadEventCount(deps.db),
    clearing_balance: money(await balanceOf(deps.db, Accounts.clearing)),
    insurers_below_warning: (await insurers(deps)).filter((i) => i.below_warning),
    today: {
      from: today.from,
      paid_orders: paid.count,
      amount: money(paid.amountFen),
      insurer: money(paid.insurerFen),
      self_pay: money(paid.selfPayFen),
    },
  };
}

/** Everything that happened to an order, in one place. */
export async function orderTimeline(deps: Deps, orderNo: string) {
  const order = (await findOrder(deps.db, orderNo)) ?? fail('ZF0263', 'order');
  const attempts = await attemptsOfOrder(deps.db, orderNo);
  const notifications = await notificationsOf(
    deps.db,
    attempts.map((a) => a.id),
  );
  const events = await eventsOfOrder(deps.db, orderNo);
  const deliveries = await deliveriesOf(
    deps.db,
    events.map((e) => e.id),
  );
  const now = deps.clock.now();
  const transfers = await transfersOfOrder(deps.db, orderNo);
  const refunds = [];
  for (const r of await refundsOfOrder(deps.db, orderNo)) {
    const legs = transfers.filter((t) => t.idempotency_key.startsWith(`refund:${r.refund_no}:`));
    const quota = await deps.quota.records({ refNo: `refund:${r.refund_no}` });
    refunds.push({
      ...refundAdminView(r),
      legs: legs.map((t) => ({
        key: t.idempotency_key,
        from: t.from_account,
        to: t.to_account,
        amount: money(t.amount_fen),
        at: Number(t.created_at),
      })),
      quota_records: quota.map((q) => ({ id: q.id, ic_code: q.icCode, type: q.type, amount: money(q.amountFen), at: q.createdAt })),
    });
  }
  return {
    order: orderView(order),
    refunds,
    attempts: attempts.map((a) => ({
      id: a.id,
      method: a.method,
      amount: money(a.amount_fen),
      status: a.status,
      failure_reason: a.failure_reason,
      internal_reason: a.internal_reason,
      provider_ref: a.provider_ref,
      provider_trade_no: a.provider_trade_no,
      submitted_at: a.submitted_at === null ? null : Number(a.submitted_at),
      created_at: Number(a.created_at),
      updated_at: Number(a.updated_at),
      notifications: notifications
        .filter((n) => n.attempt_id === a.id)
        .map((n) => ({ provider: n.provider, dedupe_key: n.dedupe_key, payload: n.payload.slice(0, 500), at: Number(n.created_at) })),
    })),
    transfers: transfers.map((t) => ({
      key: t.idempotency_key,
      book: t.book,
      from: t.from_account,
      to: t.to_account,
      amount: money(t.amount_fen),
      memo: t.memo,
      at: Number(t.created_at),
    })),
    quota_records: (await deps.quota.records({ refNo: orderNo })).map((r) => ({
      id: r.id,
      ic_code: r.icCode,
      type: r.type,
      amount: money(r.amountFen),
      at: r.createdAt,
    })),
    alerts: (await alertsOfOrder(deps.db, orderNo)).map(alertView),
    clearing_tasks: (await clearingTasksOfOrder(deps.db, orderNo)).map((t) => taskView(t, now)),
    callbacks: events.map((e) => eventView(e, deliveries)),
  };
}

export async function ledger(deps: Deps) {
  const accounts = await listAccounts(deps.db);
  const check = await checkLedger(deps.db);
  return {
    accounts: accounts.map((a) => ({
      id: a.id,
      book: a.book,
      kind: a.kind,
      allow_negative: Boolean(a.allow_negative),
      balance: money(a.balance_fen),
      held: money(a.debits_pending_fen),
      incoming: money(a.credits_pending_fen),
      updated_at: Number(a.updated_at),
    })),
    check: {
      ok: ledgerIsClean(check),
      book_totals: check.bookTotals,
      drifted: check.drifted,
      pending_drifted: check.pendingDrifted,
      negative: check.negative,
    },
  };
}
