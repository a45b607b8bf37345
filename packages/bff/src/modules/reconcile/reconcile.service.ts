// Reconciliation (`pnpm reconcile`, the daily job, the admin console): for every order of a window, its state
// against its attempts, its transfers and holds, its one type 2 record, the provider's own record of its payment and
// its final callback; per insurer, the quota book against the api_core_v2 records; the ledger's own invariants.
// Reports differences; changes nothing.
import type { Deps } from '../../deps.ts';
import { Accounts, balancesOf, checkLedger, ledgerIsClean } from '../../ledger/ledger.ts';
import type { Order } from '../order/order.table.ts';
import { QUOTA_DEDUCTION } from '../quota/quota.repository.ts';
import { extraPaymentRefunds } from './reconcile.extra.ts';
import { expectedTransfers, type OrderFacts } from './reconcile.rules.ts';
import * as repo from './reconcile.repository.ts';

export interface Difference {
  check: string;
  orderNo?: string;
  icCode?: string;
  detail: string;
}

export interface ReconcileReport {
  since: number;
  until: number | null;
  ranAt: number;
  orders: number;
  insurers: number;
  providerChecks: number;
  differences: Difference[];
}

/** The provider's own record of a card payment (Payzero `/order/feedback`); null when it cannot be asked. */
export type CardLookup = (mchtOrderNo: string) => Promise<{ payStatus: string; paymentAmount: number | null }>;

export interface ReconcileOptions {
  since: number;
  /** Orders created before this (ms); all since `since` when absent. */
  until?: number;
  /** Called every {@link PROGRESS_EVERY} orders (and at the end) with the orders checked and the window's total. */
  onProgress?: (done: number, total: number) => Promise<void>;
  /** How card attempts are checked with Payzero; without it card attempts are reported as unchecked. */
  cardLookup?: CardLookup;
}

export const PROGRESS_EVERY = 20;

const groupBy = <T, K>(rows: T[], key: (r: T) => K) => {
  const m = new Map<K, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
};

/** Runs every check for the orders created since `opts.since` (and the books as a whole). */
export async function reconcile(deps: Deps, opts: ReconcileOptions): Promise<ReconcileReport> {
  const { db, quota } = deps;
  const differences: Difference[] = [];
  const orders = await repo.ordersSince(db, opts.since, opts.until);
  const nos = orders.map((o) => o.order_no);
  const attempts = groupBy(await repo.attemptsOfOrders(db, nos), (a) => a.order_no);
  const transfers = groupBy(await repo.transfersOfOrders(db, nos), (t) => t.order_no);
  const holds = groupBy(await repo.holdsOfOrders(db, nos), (h) => h.order_no);
  const finals = groupBy(await repo.finalCallbacksOfOrders(db, nos), (c) => c.order_no);
  const tasks = groupBy(await repo.clearingTasksOfOrders(db, nos), (t) => t.order_no);
  const alerts = groupBy(await repo.alertKeysOfOrders(db, nos), (a) => a.order_no);
  const refunds = groupBy(await repo.extraRefundsOfOrders(db, nos), (r) => r.order_no);
  let providerChecks = 0;

  for (const [i, order] of orders.entries()) {
    if (opts.onProgress && i > 0 && i % PROGRESS_EVERY === 0) await opts.onProgress(i, orders.length);
    const facts: OrderFacts = {
      order,
      attempts: attempts.get(order.order_no) ?? [],
      transfers: (transfers.get(order.order_no) ?? []).map((t) => ({ key: t.idempotency_key, amountFen: Number(t.amount_fen) })),
      holds: (holds.get(order.order_no) ?? []).map((h) => ({ key: h.idempotency_key, status: h.status })),
      finalCallbacks: finals.get(order.order_no) ?? [],
      clearingTaskFen: (tasks.get(order.order_no) ?? []).reduce((s, t) => s + Number(t.amount_fen), 0) || null,
      clearingTaskDone: (tasks.get(order.order_no) ?? []).some((t) => t.status === 'done'),
      alertKinds: new Set((alerts.get(order.order_no) ?? []).map((a) => a.kind)),
      deadAlerts: new Set(
        (alerts.get(order.order_no) ?? []).filter((a) => a.kind === 'CALLBACK_DEAD').map((a) => a.dedupe_key.split(':')[1] ?? ''),
      ),
    };
    for (const d of expectedTransfers(facts)) differences.push({ ...d, orderNo: order.order_no });
    const extra = { ...facts, refunds: refunds.get(order.order_no) ?? [] };
    for (const d of extraPaymentRefunds(extra)) differences.push({ ...d, orderNo: order.order_no });
    differences.push(...(await deductionRecords(deps, order)));
    providerChecks += await providerRecords(deps, order, facts, opts, differences);
  }

  const insurers = await quota.insurerCodes();
  for (const ic of insurers) {
    const fast = await quota.remaining(ic);
    const full = await quota.fullSum(ic);
    if (fast !== full)
      differences.push({ check: 'quota_book', icCode: ic, detail: `quota book reads ${fast}, the records sum to ${full}` });
    const mirrored = (await balancesOf(db, Accounts.insurerQuota(ic))).balanceFen;
    if (mirrored !== full)
      differences.push({
        check: 'quota_mirror',
        icCode: ic,
        detail: `ledger insurer_quota:${ic} is ${mirrored}, the records sum to ${full} (a deduction written outside, or a deduction not mirrored)`,
      });
  }

  const ledger = await checkLedger(db);
  if (!ledgerIsClean(ledger)) differences.push({ check: 'ledger', detail: JSON.stringify(ledger) });
  await opts.onProgress?.(orders.length, orders.length);
  return {
    since: opts.since,
    until: opts.until ?? null,
    ranAt: deps.clock.now(),
    orders: orders.length,
    insurers: insurers.length,
    providerChecks,
    differences,
  };
}

/** Exactly one type 2 record of X for a settled order with X > 0; none for any other order. */
async function deductionRecords(deps: Deps, order: Order): Promise<Difference[]> {
  const records = (await deps.quota.recordsByRef(order.order_no)).filter((r) => r.type === QUOTA_DEDUCTION);
  const x = Number(order.insurer_fen);
  const settledWithShare = order.status === 'settled' && x > 0;
  const want = settledWithShare ? [x] : [];
  const got = records.map((r) => r.amountFen);
  if (JSON.stringify(got) === JSON.stringify(want) && records.every((r) => r.icCode === order.ic_code)) return [];
  return [
    {
      check: 'quota_record',
      orderNo: order.order_no,
      icCode: order.ic_code,
      detail: `type 2 records ${JSON.stringify(records.map((r) => [r.icCode, r.amountFen]))}, expected ${JSON.stringify(want.map((a) => [order.ic_code, a]))}`,
    },
  ];
}

/** Each provider-paid attempt against the provider's own record. Returns how many were checked. */
async function providerRecords(deps: Deps, order: Order, facts: OrderFacts, opts: ReconcileOptions, out: Difference[]): Promise<number> {
  let checked = 0;
  const paid = facts.attempts.filter((a) => a.status === 'succeeded' && (a.method === 'card' || a.method === 'guanaitong'));
  const notes = groupBy(
    await repo.notificationsOfAttempts(
      deps.db,
      paid.map((a) => a.id),
    ),
    (n) => n.attempt_id,
  );
  for (const a of paid) {
    if (a.method === 'card') {
      if (!opts.cardLookup) {
        out.push({ check: 'provider_unchecked', orderNo: order.order_no, detail: `card attempt ${a.id}: no Payzero client to ask` });
        continue;
      }
      checked++;
      try {
        const r = await opts.cardLookup(a.provider_ref ?? a.id);
        if (r.payStatus !== 'PAY_SUCCEED' || (r.paymentAmount !== null && r.paymentAmount !== Number(a.amount_fen))) {
          out.push({
            check: 'provider_record',
            orderNo: order.order_no,
            detail: `card attempt ${a.id} succeeded here; Payzero says ${r.payStatus} ${r.paymentAmount ?? ''}`,
          });
        }
      } catch (err) {
        out.push({
          check: 'provider_record',
          orderNo: order.order_no,
          detail: `card attempt ${a.id}: Payzero lookup failed (${(err as Error).name})`,
        });
      }
    } else {
      checked++;
      // Guanaitong has no query API: its signed notify of the paid trade, as recorded, is its record.
      const trade = (notes.get(a.id) ?? []).find((n) => n.dedupe_key.startsWith('guanaitong:'));
      const total = trade ? Number((JSON.parse(trade.payload) as { totalFen?: number }).totalFen) : NaN;
      if (!trade || total !== Number(a.amount_fen)) {
        out.push({
          check: 'provider_record',
          orderNo: order.order_no,
          detail: `guanaitong attempt ${a.id} succeeded here; notified trade ${trade ? `of ${total}` : 'missing'}`,
        });
      }
    }
  }
  return checked;
}
