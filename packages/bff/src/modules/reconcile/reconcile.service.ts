// Reconciliation (`pnpm reconcile`, the daily job, the admin console): for every order of a window, its state
// against its attempts, its transfers and holds, its one type 2 record, the provider's own record of its payment and
// its final callback; per insurer, the quota book against the api_core_v2 records; the ledger's own invariants.
// Reports differences; changes nothing.
import type { Deps } from '../../deps.ts';
import { Accounts, balancesOf, checkLedger, ledgerIsClean } from '../../ledger/ledger.ts';
import type { Order } from '../order/order.table.ts';
import { QUOTA_DEDUCTION, type QuotaRecord } from '../quota/quota.repository.ts';
import { extraPaymentRefunds } from './reconcile.extra.ts';
import { loadPage, PAGE_SIZE, providerPaid, type PageFacts } from './reconcile.facts.ts';
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

/** An order's place in the window's order: (created_at, order_no). */
export interface ReconcileCursor {
  createdAt: number;
  orderNo: string;
}

/** What was found since the previous progress report: a stored run keeps it, so another instance can continue. */
export interface Checkpoint {
  /** The last order checked (the one before the first of a resumed run's when none yet). */
  cursor: ReconcileCursor | null;
  differences: Difference[];
  providerChecks: number;
  /** The insurers whose books were checked (the last report only). */
  insurers?: number;
}

export interface ReconcileOptions {
  since: number;
  /** Orders created before this (ms); all since `since` when absent. */
  until?: number;
  /** A resumed run: check only the orders after this one; `doneBefore` orders were checked before it. */
  after?: ReconcileCursor;
  doneBefore?: number;
  /**
   * Called every {@link PROGRESS_EVERY} orders (and at the end, after the books' checks) with the orders checked, the
   * window's total and what was found since the previous call.
   */
  onProgress?: (done: number, total: number, checkpoint: Checkpoint) => Promise<void>;
  /** How card attempts are checked with Payzero; without it card attempts are reported as unchecked. */
  cardLookup?: CardLookup;
}

export const PROGRESS_EVERY = 20;

/** Runs every check for the orders created since `opts.since` (and the books as a whole). */
export async function reconcile(deps: Deps, opts: ReconcileOptions): Promise<ReconcileReport> {
  const { db, quota } = deps;
  const differences: Difference[] = [];
  const orders = await repo.ordersSince(db, opts.since, opts.until, opts.after);
  const before = opts.doneBefore ?? 0;
  const total = before + orders.length;
  let providerChecks = 0;
  let mark = { differences: 0, providerChecks: 0 };
  /** What was found since the last report, up to the `checked` orders. */
  const checkpoint = (checked: number): Checkpoint => {
    const last = orders[checked - 1];
    const found = {
      cursor: last ? { createdAt: Number(last.created_at), orderNo: last.order_no } : (opts.after ?? null),
      differences: differences.slice(mark.differences),
      providerChecks: providerChecks - mark.providerChecks,
    };
    mark = { differences: differences.length, providerChecks };
    return found;
  };

  for (let start = 0; start < orders.length; start += PAGE_SIZE) {
    const page = await loadPage(deps, orders.slice(start, start + PAGE_SIZE));
    for (const [j, order] of orders.slice(start, start + PAGE_SIZE).entries()) {
      const i = start + j;
      if (opts.onProgress && i > 0 && i % PROGRESS_EVERY === 0) await opts.onProgress(before + i, total, checkpoint(i));
      const facts = page.facts(order);
      for (const d of expectedTransfers(facts)) differences.push({ ...d, orderNo: order.order_no });
      for (const d of extraPaymentRefunds({ ...facts, refunds: page.refunds(order.order_no) }))
        differences.push({ ...d, orderNo: order.order_no });
      differences.push(...deductionRecords(order, page.quotaRecords(order.order_no)));
      providerChecks += await providerRecords(order, facts, page, opts, differences);
    }
  }

  const insurers = await quota.insurerCodes();
  for (const ic of insurers) {
    const fast = await quota.remainingExact(ic);
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
  await opts.onProgress?.(total, total, { ...checkpoint(orders.length), insurers: insurers.length });
  return {
    since: opts.since,
    until: opts.until ?? null,
    ranAt: deps.clock.now(),
    orders: total,
    insurers: insurers.length,
    providerChecks,
    differences,
  };
}

/** Exactly one type 2 record of X for a settled order with X > 0; none for any other order. */
function deductionRecords(order: Order, ofRef: QuotaRecord[]): Difference[] {
  const records = ofRef.filter((r) => r.type === QUOTA_DEDUCTION);
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
async function providerRecords(
  order: Order,
  facts: OrderFacts,
  page: PageFacts,
  opts: ReconcileOptions,
  out: Difference[],
): Promise<number> {
  let checked = 0;
  for (const a of providerPaid(facts.attempts)) {
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
      const trade = page.notifications(a.id).find((n) => n.dedupe_key.startsWith('guanaitong:'));
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
