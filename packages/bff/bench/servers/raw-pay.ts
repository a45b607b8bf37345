// The raw-driver baseline of the pay endpoint: bare Hono on @hono/node-server and ONE transaction of prepared
// statements (better-sqlite3, or mysql2 `execute`) doing what a BFF balance payment writes — the payment attempt,
// the order open → settled, the self-pay transfer, the insurer quota deduction record and its ledger mirror, the
// insurer share cleared to the partner, and the `paid` callback in the outbox — on the same schema and the same
// orders (made through the BFF's API). It skips what is not database work: the PIN's scrypt, zod, the session.
// So the harness's money checks hold for these orders exactly as for the BFF's.
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

/** The statements, in order; `q` runs one (select → rows, otherwise → changed rows). */
interface Exec {
  one(sql: string, args: unknown[]): Promise<Record<string, unknown> | undefined>;
  run(sql: string, args: unknown[]): Promise<number>;
}

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
  debit:
    'UPDATE ledger_accounts SET balance_fen = balance_fen - ?, updated_at = ? WHERE id = ? AND (allow_negative = 1 OR balance_fen >= ?)',
  credit: 'UPDATE ledger_accounts SET balance_fen = balance_fen + ?, updated_at = ? WHERE id = ?',
  entries: 'INSERT INTO ledger_entries (transfer_id, account_id, amount_fen, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
  postHold:
    "UPDATE ledger_pending SET status = 'posted', posted_fen = amount_fen, resolved_at = ? WHERE idempotency_key = ? AND status = 'pending'",
  releaseDebit: 'UPDATE ledger_accounts SET debits_pending_fen = debits_pending_fen - ?, updated_at = ? WHERE id = ?',
  releaseCredit: 'UPDATE ledger_accounts SET credits_pending_fen = credits_pending_fen - ?, updated_at = ? WHERE id = ?',
  quota: `INSERT INTO ${quotaTable} (id, ic_code, type, amount, ref_no, created_at) VALUES (?, ?, 2, ?, ?, ?)`,
  event:
    "INSERT INTO callback_events (id, order_no, partner_id, url, event, seq, final, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'paid', ?, 1, ?, 'pending', 0, ?, ?)",
};

async function transfer(
  x: Exec,
  key: string,
  book: string,
  from: string,
  to: string,
  amount: number,
  orderNo: string,
  memo: string,
  now: number,
) {
  const tid = id('TR');
  await x.run(S.transfer, [tid, key, book, from, to, amount, orderNo, memo, now]);
  if ((await x.run(S.debit, [amount, now, from, amount])) !== 1) throw new Conflict(`insufficient ${from}`);
  if ((await x.run(S.credit, [amount, now, to])) !== 1) throw new Conflict(`no account ${to}`);
  await x.run(S.entries, [tid, from, -amount, now, tid, to, amount, now]);
}

/** An order's holds (key, held-from account, held-for account), placed at its creation (raw-seed.ts or the BFF). */
const holdsOf = (o: OrderRow): Array<[string, string, string]> => [
  [`order:${o.order_no}:coverage-hold`, `policy_coverage:${o.policy_no}`, 'coverage_issued'],
  [`order:${o.order_no}:quota-hold`, `insurer_quota:${o.ic_code}`, 'quota_issued'],
];

/** The payment transaction's body: 2 reads + 1 + 1 + 2 × 3 (holds posted) + 4 × 4 (transfers) + 1 + 1 = 28 statements for a split order. */
async function pay(x: Exec, orderNo: string, lock: string): Promise<OrderRow> {
  const now = Date.now();
  const o = (await x.one(S.order + lock, [orderNo])) as OrderRow | undefined;
  if (!o || o.status !== 'open') throw new Conflict('not payable');
  await x.one(S.user, [o.user_id]);
  const attemptId = id('PA');
  const self = Number(o.self_pay_fen);
  const ins = Number(o.insurer_fen);
  await x.run(S.attempt, [attemptId, orderNo, self, now, now, now]);
  if ((await x.run(S.settle, [now, attemptId, now, orderNo])) !== 1) throw new Conflict('lost the race');
  const merchant = `merchant:${o.partner_id}`;
  if (self > 0)
    await transfer(x, `order:${orderNo}:selfpay`, 'cash', `user_wallet:${o.user_id}`, merchant, self, orderNo, 'self-pay by balance', now);
  if (ins > 0) {
    // The order's two holds are posted (released, then moved by a transfer), as the BFF's settlement does.
    for (const [hold, from, to] of holdsOf(o)) {
      if ((await x.run(S.postHold, [now, hold])) !== 1) throw new Conflict(`no live hold ${hold}`);
      await x.run(S.releaseDebit, [ins, now, from]);
      await x.run(S.releaseCredit, [ins, now, to]);
    }
    await transfer(
      x,
      `order:${orderNo}:coverage`,
      'coverage',
      `policy_coverage:${o.policy_no}`,
      'coverage_issued',
      ins,
      orderNo,
      'coverage used by a paid order',
      now,
    );
    await x.run(S.quota, [id('QR'), o.ic_code, ins, orderNo, now]);
    await transfer(
      x,
      `order:${orderNo}:quota`,
      'quota',
      `insurer_quota:${o.ic_code}`,
      'quota_issued',
      ins,
      orderNo,
      'insurer quota deduction',
      now,
    );
    await transfer(x, `order:${orderNo}:insurer`, 'cash', 'clearing', merchant, ins, orderNo, 'insurer share cleared', now);
  }
  const eventId = id('evt_');
  const seq = Number(o.next_seq);
  const payload = JSON.stringify({
    order_no: orderNo,
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
  await x.run(S.event, [eventId, orderNo, o.partner_id, o.callback_url, seq, payload, now, now]);
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
  for (const sql of Object.values(S)) prep(sql);
  // The partner's ledger account is created by the BFF's first payment; a fresh copy of the database may lack it.
  db.prepare(
    "INSERT OR IGNORE INTO ledger_accounts (id, book, kind, allow_negative, balance_fen, created_at, updated_at) VALUES ('merchant:demo', 'cash', 'merchant', 0, 0, ?, ?)",
  ).run(Date.now(), Date.now());
  // better-sqlite3 is synchronous: the same statements without awaits, in the driver's own transaction wrapper.
  const xs = {
    one: (sql: string, args: unknown[]) => prep(sql).get(...args) as Record<string, unknown> | undefined,
    run: (sql: string, args: unknown[]) => prep(sql).run(...args).changes,
  };
  const txn = db.transaction((orderNo: string) => {
    const now = Date.now();
    const o = xs.one(S.order, [orderNo]) as OrderRow | undefined;
    if (!o || o.status !== 'open') throw new Conflict('not payable');
    xs.one(S.user, [o.user_id]);
    const attemptId = id('PA');
    const self = Number(o.self_pay_fen);
    const ins = Number(o.insurer_fen);
    xs.run(S.attempt, [attemptId, orderNo, self, now, now, now]);
    if (xs.run(S.settle, [now, attemptId, now, orderNo]) !== 1) throw new Conflict('lost the race');
    const merchant = `merchant:${o.partner_id}`;
    const tr = (key: string, book: string, from: string, to: string, amount: number, memo: string) => {
      const tid = id('TR');
      xs.run(S.transfer, [tid, key, book, from, to, amount, orderNo, memo, now]);
      if (xs.run(S.debit, [amount, now, from, amount]) !== 1) throw new Conflict(`insufficient ${from}`);
      if (xs.run(S.credit, [amount, now, to]) !== 1) throw new Conflict(`no account ${to}`);
      xs.run(S.entries, [tid, from, -amount, now, tid, to, amount, now]);
    };
    if (self > 0) tr(`order:${orderNo}:selfpay`, 'cash', `user_wallet:${o.user_id}`, merchant, self, 'self-pay by balance');
    if (ins > 0) {
      for (const [hold, from, to] of holdsOf(o)) {
        if (xs.run(S.postHold, [now, hold]) !== 1) throw new Conflict(`no live hold ${hold}`);
        xs.run(S.releaseDebit, [ins, now, from]);
        xs.run(S.releaseCredit, [ins, now, to]);
      }
      tr(
        `order:${orderNo}:coverage`,
        'coverage',
        `policy_coverage:${o.policy_no}`,
        'coverage_issued',
        ins,
        'coverage used by a paid order',
      );
      xs.run(S.quota, [id('QR'), o.ic_code, ins, orderNo, now]);
      tr(`order:${orderNo}:quota`, 'quota', `insurer_quota:${o.ic_code}`, 'quota_issued', ins, 'insurer quota deduction');
      tr(`order:${orderNo}:insurer`, 'cash', 'clearing', merchant, ins, 'insurer share cleared');
    }
    const eventId = id('evt_');
    const seq = Number(o.next_seq);
    const payload = JSON.stringify({
      order_no: orderNo,
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
    xs.run(S.event, [eventId, orderNo, o.partner_id, o.callback_url, seq, payload, now, now]);
  });
  return async (orderNo) => {
    txn.immediate(orderNo);
  };
}

function mysqlPay(uri: string): PayFn {
  const db = createPool({ uri, connectionLimit: 10, supportBigNumbers: true, decimalNumbers: true, timezone: 'Z', charset: 'utf8mb4' });
  const ready = db.execute(
    "INSERT IGNORE INTO ledger_accounts (id, book, kind, allow_negative, balance_fen, created_at, updated_at) VALUES ('merchant:demo', 'cash', 'merchant', 0, 0, ?, ?)",
    [Date.now(), Date.now()],
  );
  return async (orderNo) => {
    await ready;
    for (let attempt = 1; ; attempt++) {
      const conn: PoolConnection = await db.getConnection();
      const x: Exec = {
        one: async (sql, args) => (await conn.execute<RowDataPacket[]>(sql, args as never[]))[0][0] as Record<string, unknown> | undefined,
        run: async (sql, args) => (await conn.execute<ResultSetHeader>(sql, args as never[]))[0].affectedRows,
      };
      try {
        await conn.beginTransaction();
        await pay(x, orderNo, ' FOR UPDATE');
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
