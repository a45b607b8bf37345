// The money check after every run: a fast number with a broken invariant is a failure.
// Both ledger books sum to zero (no drift, nothing illegally negative); every paid order is settled exactly once
// (one succeeded attempt, its transfers once, one api_core_v2 deduction, status settled/notified); exactly one `paid`
// callback per settled order in the outbox and never two different `paid` events at the partner; nothing dead.
import { sql, type Kysely } from 'kysely';
import { connect } from '../../src/db/database.ts';
import type { Database } from '../../src/db/tables.ts';
import { checkLedger } from '../../src/ledger/ledger.ts';
import type { Receiver } from './receiver.ts';

export interface MoneyCheck {
  problems: string[];
  settledOrders: number;
  openOrders: number;
  paidEvents: number;
  undeliveredEvents: number;
  summary: string;
}

const countBy = async (db: Kysely<Database>, q: string) => {
  const rows = (await sql.raw(q).execute(db)).rows as Array<{ k: string; n: number | string }>;
  return new Map(rows.map((r) => [r.k, Number(r.n)]));
};

/**
 * Orders paid but not yet settled (a settlement step gave up, e.g. a deadlock past its retries: "settlement
 * interrupted; recovery will resume it"): waits up to `timeoutMs` for the BFF's recovery job (every 30 s) to finish
 * them, so the money check sees what recovery leaves. Returns how many there were and how many are still left.
 */
export async function awaitRecovery(databaseUrl: string, timeoutMs = 40_000): Promise<{ interrupted: number; left: number }> {
  const { db, destroy } = connect<Database>(databaseUrl);
  const count = async () =>
    Number(
      (
        await db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'paid')
          .executeTakeFirstOrThrow()
      ).n,
    );
  try {
    const interrupted = await count();
    let left = interrupted;
    for (const t0 = Date.now(); left > 0 && Date.now() - t0 < timeoutMs; left = await count())
      await new Promise((r) => setTimeout(r, 1000));
    return { interrupted, left };
  } finally {
    await destroy();
  }
}

/**
 * Runs every check on the database at `databaseUrl`; `requireDelivered`: every `paid` event must have reached `receiver`;
 * a paid order with an insurer share used its policy's coverage in the ledger (`order:<no>:coverage`), as the BFF and
 * the raw-driver baseline both do.
 */
export async function checkMoney(databaseUrl: string, receiver: Receiver, tag: string, requireDelivered: boolean): Promise<MoneyCheck> {
  const { db, destroy } = connect<Database>(databaseUrl);
  const problems: string[] = [];
  try {
    const ledger = await checkLedger(db);
    if (ledger.bookTotals.cash !== 0) problems.push(`cash book sums to ${ledger.bookTotals.cash}, not 0`);
    if (ledger.bookTotals.quota !== 0) problems.push(`quota book sums to ${ledger.bookTotals.quota}, not 0`);
    if (ledger.bookTotals.coverage !== 0) problems.push(`coverage book sums to ${ledger.bookTotals.coverage}, not 0`);
    if (ledger.pendingDrifted.length)
      problems.push(`pending amounts drifted from the live holds: ${ledger.pendingDrifted.slice(0, 5).join(', ')}`);
    if (ledger.drifted.length) problems.push(`balances drifted from their entries: ${ledger.drifted.slice(0, 5).join(', ')}`);
    if (ledger.negative.length) problems.push(`illegally negative: ${ledger.negative.slice(0, 5).join(', ')}`);

    const orders = await db
      .selectFrom('orders')
      .select(['order_no', 'status', 'settlement_step', 'self_pay_fen', 'insurer_fen'])
      .where('partner_id', '=', 'demo')
      .execute();
    const succeeded = await countBy(
      db,
      "SELECT order_no AS k, COUNT(*) AS n FROM payment_attempts WHERE status = 'succeeded' GROUP BY order_no",
    );
    const transfers = await countBy(
      db,
      "SELECT order_no AS k, COUNT(*) AS n FROM ledger_transfers WHERE order_no IS NOT NULL AND idempotency_key NOT LIKE '%:coverage' GROUP BY order_no",
    );
    const coverage = await countBy(
      db,
      "SELECT order_no AS k, COUNT(*) AS n FROM ledger_transfers WHERE order_no IS NOT NULL AND idempotency_key LIKE '%:coverage' GROUP BY order_no",
    );
    const deductions = await countBy(db, 'SELECT ref_no AS k, COUNT(*) AS n FROM insurer_quota_records WHERE type = 2 GROUP BY ref_no');
    const parked = await countBy(db, 'SELECT order_no AS k, COUNT(*) AS n FROM clearing_tasks GROUP BY order_no');
    const paidEvents = await countBy(db, "SELECT order_no AS k, COUNT(*) AS n FROM callback_events WHERE event = 'paid' GROUP BY order_no");
    const dead = await db
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'dead')
      .executeTakeFirstOrThrow();
    const undelivered = await db
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    const paidEventIds = await db.selectFrom('callback_events').select(['id', 'order_no']).where('event', '=', 'paid').execute();
    if (Number(dead.n)) problems.push(`${dead.n} callback events are dead`);

    let settled = 0;
    let open = 0;
    const bad = (what: string, orderNo: string) => problems.length < 40 && problems.push(`${orderNo}: ${what}`);
    for (const o of orders) {
      const self = Number(o.self_pay_fen);
      const ins = Number(o.insurer_fen);
      const n = (m: Map<string, number>) => m.get(o.order_no) ?? 0;
      if (o.status === 'open' || o.status === 'closed') {
        if (o.status === 'open') open++;
        if (n(succeeded) || n(transfers) || n(coverage) || n(deductions) || n(paidEvents))
          bad(`${o.status} but has payment traces`, o.order_no);
        continue;
      }
      if (o.status !== 'settled' || o.settlement_step !== 'notified') {
        bad(`status ${o.status}/${o.settlement_step}, not settled/notified`, o.order_no);
        continue;
      }
      settled++;
      if (n(succeeded) !== 1) bad(`${n(succeeded)} succeeded attempts`, o.order_no);
      const expectTransfers = (self > 0 ? 1 : 0) + (ins > 0 ? (n(parked) ? 1 : 2) : 0);
      if (n(transfers) !== expectTransfers) bad(`${n(transfers)} ledger transfers, expected ${expectTransfers}`, o.order_no);
      if (n(deductions) !== (ins > 0 ? 1 : 0)) bad(`${n(deductions)} quota deductions`, o.order_no);
      if (n(coverage) !== (ins > 0 ? 1 : 0)) bad(`${n(coverage)} coverage uses`, o.order_no);
      if (n(paidEvents) !== 1) bad(`${n(paidEvents)} paid callbacks in the outbox`, o.order_no);
    }
    // At the partner: never two different `paid` events for one order; every delivered one is a real one.
    const dbPaid = new Map(paidEventIds.map((e) => [e.id, e.order_no]));
    const paidAtPartner = new Map<string, string>();
    const received = receiver.events(tag);
    for (const [eventId, r] of received) {
      if (r.event !== 'paid') continue;
      if (dbPaid.get(eventId) !== r.orderNo) bad(`partner got a paid event ${eventId} the outbox does not hold`, r.orderNo);
      const prior = paidAtPartner.get(r.orderNo);
      if (prior && prior !== eventId) bad('partner got two different paid events', r.orderNo);
      paidAtPartner.set(r.orderNo, eventId);
    }
    if (requireDelivered) {
      const missing = [...dbPaid.keys()].filter((id) => !received.has(id));
      if (missing.length) problems.push(`${missing.length} paid callbacks never reached the partner`);
    }
    const summary = `books cash ${ledger.bookTotals.cash} / quota ${ledger.bookTotals.quota} / coverage ${ledger.bookTotals.coverage}, drifted ${ledger.drifted.length}, negative ${ledger.negative.length}; ${settled} settled orders (each once), ${open} open; ${dbPaid.size} paid callbacks (one each), ${paidAtPartner.size} of them at the partner, ${Number(undelivered.n)} events still queued, ${receiver.duplicates} re-deliveries`;
    return {
      problems,
      settledOrders: settled,
      openOrders: open,
      paidEvents: dbPaid.size,
      undeliveredEvents: Number(undelivered.n),
      summary,
    };
  } finally {
    await destroy();
  }
}

/** Waits (bounded) until the outbox has nothing pending or sending. Returns the number left. */
export async function waitOutboxEmpty(databaseUrl: string, timeoutMs: number): Promise<number> {
  const { db, destroy } = connect<Database>(databaseUrl);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await db
        .selectFrom('callback_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      const n = Number(r.n);
      if (n === 0 || Date.now() >= deadline) return n;
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    await destroy();
  }
}
