// The raw-driver baseline of the pay endpoint: bare Hono on @hono/node-server and ONE transaction of prepared
// statements (better-sqlite3, or mysql2 `execute`) doing what a BFF balance payment writes — the payment attempt,
// the order open → settled, the self-pay transfer, the insurer quota deduction record and its ledger mirror, the
// insurer share cleared to the partner, and the `paid` callback in the outbox — on the same schema and the same
// orders (made through the BFF's API). It skips what is not database work: the PIN's hash, zod, the session.
// So the harness's money checks hold for these orders exactly as for the BFF's. Like the BFF (ledger/deferred.ts),
// the legs that cannot be refused (credits, debits of accounts that may go negative, hold releases) are summed and
// applied in ONE `UPDATE … CASE id …` in account-id order just before the commit, so the hot rows are locked for the
// last statement only. The payment body is written once, as a generator of statements: better-sqlite3 runs it
// synchronously inside its transaction wrapper, mysql2 awaits each statement on a pooled connection.
import { serve } from '@hono/node-server';
import { formatYuan } from '@zf/shared';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { createPool, type PoolConnection, type RowDataPacket, type ResultSetHeader } from 'mysql2/promise';
import { id, seeder, type SeedRequest } from './raw-seed.ts';

const url = process.env.DATABASE_URL ?? '';
const port = Number(process.env.PORT ?? 0);
const quotaTable = process.env.QUOTA_RECORD_TABLE ?? 'insurer_quota_records';

interface OrderRow {
  order_no: string;
  partner_id: string;
  refer_no: string;
  user_id: string;
  policy_no: string;
  ic_code: string;
  amount_fen: number;
  insurer_fen: number;
  self_pay_fen: number;
  callback_url: string;
  status: string;
  next_seq: number;
}

class Conflict extends Error {}

/** One statement of the payment: a read (→ its first row) or a write (→ the rows it changed). */
type Op = { one: string; args: unknown[] } | { run: string; args: unknown[] };
/** The payment body: yields its statements, is resumed with each one's result. */
type Body = Generator<Op, OrderRow, unknown>;

const S = {
  order:
    'SELECT order_no, partner_id, refer_no, user_id, policy_no, ic_code, amount_fen, insurer_fen, self_pay_fen, callback_url, status, next_seq FROM orders WHERE order_no = ?',
  user: 'SELECT pin_hash, pin_locked_at FROM users WHERE id = ?',
  attempt:
    "INSERT INTO payment_attempts (id, order_no, method, amount_fen, status, submitted_at, poll_count, created_at, updated_at) VALUES (?, ?, 'balance', ?, 'succeeded', ?, 0, ?, ?)",
  settle:
    "UPDATE orders SET status = 'settled', settlement_step = 'notified', paid_at = ?, paid_attempt_id = ?, next_seq = next_seq + 1, updated_at = ? WHERE order_no = ? AND status = 'open'",
  transfer:
    'INSERT INTO ledger_transfers (id, idempotency_key, book, from_account, to_account, amount_fen, order_no, memo, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  floorDebit: 'UPDATE ledger_accounts SET balance_fen = balance_fen - ?, updated_at = ? WHERE id = ? AND balance_fen >= ?',
  entries: 'INSERT INTO ledger_entries (transfer_id, account_id, amount_fen, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
  postHold:
    "UPDATE ledger_pending SET status = 'posted', posted_fen = amount_fen, resolved_at = ? WHERE idempotency_key = ? AND status = 'pending'",
  quota: `INSERT INTO ${quotaTable} (id, ic_code, type, amount, ref_no, created_at) VALUES (?, ?, 2, ?, ?, ?)`,
  event:
    "INSERT INTO callback_events (id, order_no, partner_id, url, event, seq, final, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'paid', ?, 1, ?, 'pending', 0, ?, ?)",
};

/** Legs that cannot be refused, per account, applied at the end (or before a floor debit of the same account). */
type Legs = Map<string, { balance: number; debitsPending: number; creditsPending: number }>;

function addLeg(legs: Legs, id: string, leg: { balance?: number; debitsPending?: number; creditsPending?: number }) {
  const p = legs.get(id) ?? { balance: 0, debitsPending: 0, creditsPending: 0 };
  p.balance += leg.balance ?? 0;
  p.debitsPending += leg.debitsPending ?? 0;
  p.creditsPending += leg.creditsPending ?? 0;
  legs.set(id, p);
}

/** One UPDATE for the given accounts (in id order), a CASE per column: what ledger/deferred.ts runs before the commit. */
function* applyLegs(legs: Legs, ids: string[], now: number): Generator<Op, void, unknown> {
  if (!ids.length) return;
  ids.sort();
  const cols: string[] = [];
  const args: unknown[] = [];
  for (const [col, key] of [
    ['balance_fen', 'balance'],
    ['debits_pending_fen', 'debitsPending'],
    ['credits_pending_fen', 'creditsPending'],
  ] as const) {
    if (ids.every((id) => legs.get(id)![key] === 0)) continue;
    cols.push(`${col} = ${col} + CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} ELSE 0 END`);
    for (const id of ids) args.push(id, legs.get(id)![key]);
  }
  const sql = `UPDATE ledger_accounts SET ${cols.join(', ')}, updated_at = ? WHERE id IN (${ids.map(() => '?').join(', ')})`;
  const changed = yield { run: sql, args: [...args, now, ...ids] };
  if (changed !== ids.length) throw new Conflict(`ledger accounts missing among ${ids.join(', ')}`);
  for (const id of ids) legs.delete(id);
}

/** A transfer: its row, the debit (conditional where the account has a floor, else deferred), the deferred credit, the entries. */
function* transfer(
  legs: Legs,
  t: { key: string; book: string; from: string; to: string; floor: boolean; amount: number; memo: string },
  orderNo: string,
  now: number,
): Generator<Op, void, unknown> {
  const tid = id('TR');
  yield { run: S.transfer, args: [tid, t.key, t.book, t.from, t.to, t.amount, orderNo, t.memo, now] };
  if (t.floor) {
    if (legs.has(t.from)) yield* applyLegs(legs, [t.from], now);
    if ((yield { run: S.floorDebit, args: [t.amount, now, t.from, t.amount] }) !== 1) throw new Conflict(`insufficient ${t.from}`);
  } else addLeg(legs, t.from, { balance: -t.amount });
  addLeg(legs, t.to, { balance: t.amount });
  yield { run: S.entries, args: [tid, t.from, -t.amount, now, tid, t.to, t.amount, now] };
}

/** The payment transaction's body, for a split order: 2 reads, the attempt, the order, 2 holds posted, 4 transfers, the quota record, the event, then one UPDATE of the deferred legs. */
function* pay(orderNo: string, lock: string): Body {
  const now = Date.now();
  const o = (yield { one: S.order + lock, args: [orderNo] }) as OrderRow | undefined;
  if (!o || o.status !== 'open') throw new Conflict('not payable');
  yield { one: S.user, args: [o.user_id] };
  const attemptId = id('PA');
  const self = Number(o.self_pay_fen);
  const ins = Number(o.insurer_fen);
  yield { run: S.attempt, args: [attemptId, orderNo, self, now, now, now] };
  if ((yield { run: S.settle, args: [now, attemptId, now, orderNo] }) !== 1) throw new Conflict('lost the race');
  const legs: Legs = new Map();
  const merchant = `merchant:${o.partner_id}`;
  const n = orderNo;
  if (self > 0) {
    const t = { key: `order:${n}:selfpay`, book: 'cash', from: `user_wallet:${o.user_id}`, to: merchant, floor: true, amount: self };
    yield* transfer(legs, { ...t, memo: 'self-pay by balance' }, n, now);
  }
  if (ins > 0) {
    // The order's two holds (placed at its creation) are posted: released, then moved by a transfer, as the BFF does.
    const holds: Array<[string, string, string]> = [
      [`order:${n}:coverage-hold`, `policy_coverage:${o.policy_no}`, 'coverage_issued'],
      [`order:${n}:quota-hold`, `insurer_quota:${o.ic_code}`, 'quota_issued'],
    ];
    for (const [hold, from, to] of holds) {
      if ((yield { run: S.postHold, args: [now, hold] }) !== 1) throw new Conflict(`no live hold ${hold}`);
      addLeg(legs, from, { debitsPending: -ins });
      addLeg(legs, to, { creditsPending: -ins });
    }
    const [coverage, quota] = [`policy_coverage:${o.policy_no}`, `insurer_quota:${o.ic_code}`];
    const c = { key: `order:${n}:coverage`, book: 'coverage', from: coverage, to: 'coverage_issued', floor: true, amount: ins };
    yield* transfer(legs, { ...c, memo: 'coverage used by a paid order' }, n, now);
    yield { run: S.quota, args: [id('QR'), o.ic_code, ins, n, now] };
    const q = { key: `order:${n}:quota`, book: 'quota', from: quota, to: 'quota_issued', floor: false, amount: ins };
    yield* transfer(legs, { ...q, memo: 'insurer quota deduction' }, n, now);
    const i = { key: `order:${n}:insurer`, book: 'cash', from: 'clearing', to: merchant, floor: true, amount: ins };
    yield* transfer(legs, { ...i, memo: 'insurer share cleared' }, n, now);
  }
  const eventId = id('evt_');
  const seq = Number(o.next_seq);
  const payload = JSON.stringify({
    order_no: n,
    refer_no: o.refer_no,
    res_code: 0,
    res_info: '支付成功',
    event: 'paid',
    event_id: eventId,
    seq,
    final: true,
    paid_amount: formatYuan(Number(o.amount_fen)),
    created_at: new Date(now).toISOString(),
  });
  yield { run: S.event, args: [eventId, n, o.partner_id, o.callback_url, seq, payload, now, now] };
  yield* applyLegs(legs, [...legs.keys()], now);
  return o;
}

type PayFn = (orderNo: string) => Promise<void>;

function sqlitePay(path: string): PayFn {
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const cache = new Map<string, SQLite.Statement>();
  const prep = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  // The partner's ledger account is created by the BFF's first payment; a fresh copy of the database may lack it.
  db.prepare(
    "INSERT OR IGNORE INTO ledger_accounts (id, book, kind, allow_negative, balance_fen, created_at, updated_at) VALUES ('merchant:demo', 'cash', 'merchant', 0, 0, ?, ?)",
  ).run(Date.now(), Date.now());
  // better-sqlite3 is synchronous: the body's statements run one after another inside the driver's transaction wrapper.
  const txn = db.transaction((orderNo: string) => {
    const body = pay(orderNo, '');
    for (let step = body.next(); ;) {
      if (step.done) return step.value;
      const op = step.value;
      step = body.next('one' in op ? prep(op.one).get(...op.args) : prep(op.run).run(...op.args).changes);
    }
  });
  return async (orderNo) => void txn.immediate(orderNo);
}

function mysqlPay(uri: string): PayFn {
  const db = createPool({ uri, connectionLimit: 10, supportBigNumbers: true, decimalNumbers: true, timezone: 'Z', charset: 'utf8mb4' });
  const ready = db.execute(
    "INSERT IGNORE INTO ledger_accounts (id, book, kind, allow_negative, balance_fen, created_at, updated_at) VALUES ('merchant:demo', 'cash', 'merchant', 0, 0, ?, ?)",
    [Date.now(), Date.now()],
  );
  const exec = async (conn: PoolConnection, op: Op) =>
    'one' in op
      ? (await conn.execute<RowDataPacket[]>(op.one, op.args as never[]))[0][0]
      : (await conn.execute<ResultSetHeader>(op.run, op.args as never[]))[0].affectedRows;
  return async (orderNo) => {
    await ready;
    for (let attempt = 1; ; attempt++) {
      const conn: PoolConnection = await db.getConnection();
      try {
        await conn.beginTransaction();
        const body = pay(orderNo, ' FOR UPDATE');
        for (let step = body.next(); !step.done;) step = body.next(await exec(conn, step.value));
        await conn.commit();
        return;
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        const errno = (err as { errno?: number }).errno;
        if (attempt >= 4 || (errno !== 1213 && errno !== 1205)) throw err;
      } finally {
        conn.release();
      }
    }
  };
}

const seedOrders = seeder(url);

const payOne: PayFn = url.startsWith('sqlite:') ? sqlitePay(url.slice('sqlite:'.length)) : mysqlPay(url);

const app = new Hono();
app.get('/healthz', (c) => c.json({ ok: true }));
app.post('/raw/seed-orders', async (c) => c.json(await seedOrders((await c.req.json()) as SeedRequest)));
app.post('/raw/orders/:orderNo/pay/balance', async (c) => {
  const body = (await c.req.json().catch(() => null)) as { pin?: string } | null;
  if (!body || typeof body.pin !== 'string') return c.json({ code: 'ZF0010' }, 400);
  const orderNo = c.req.param('orderNo');
  try {
    await payOne(orderNo);
    return c.json({ order_no: orderNo, status: 'settled' }, 200);
  } catch (err) {
    if (err instanceof Conflict) return c.json({ code: 'ZF0080', detail: err.message }, 409);
    console.error(err);
    return c.json({ code: 'ZF0130' }, 500);
  }
});
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
