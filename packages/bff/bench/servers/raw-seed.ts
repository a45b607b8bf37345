// The bench's fast order supply: `n` open orders written straight into the database by prepared statements
// (better-sqlite3, or mysql2 multi-row inserts), row for row what the BFF's createOrder writes — the order, its
// `order_created` event, and its two ledger holds (coverage and insurer quota) — so the BFF pays them exactly as it
// pays orders made through its API.
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { createPool, type ResultSetHeader } from 'mysql2/promise';

/** A prefixed random id, ≤ 30 chars (as the BFF's ids). */
export const id = (prefix: string) => `${prefix}${Date.now().toString(36)}${randomBytes(7).toString('hex')}`.slice(0, 30);

export interface SeedRequest {
  n: number;
  users: Array<{ userId: string; claimNo: string; policyNo: string }>;
  callback: string;
  /** Also write each order's `order_created` event (seq 1), as the BFF's createOrder does. */
  events: boolean;
}

/**
 * Bench-only supply: `n` open orders written straight into the database, row for row what createOrder writes
 * (¥1.00 under the users' 80 % PICC policies: insurer ¥0.80 held on the coverage and the quota, self-pay ¥0.20, PHID-CYZF- marker).
 */
function seedRows(req: SeedRequest, now: number) {
  const orders = Array.from({ length: req.n }, (_, i) => {
    const u = req.users[i % req.users.length]!;
    const orderNo = `ZR${now.toString(36)}${randomBytes(5).toString('hex')}`.slice(0, 22);
    const referNo = `RS-${orderNo}`;
    const eventId = id('evt_');
    return {
      u,
      values: [
        orderNo,
        'demo',
        referNo,
        referNo,
        u.claimNo,
        u.userId,
        u.policyNo,
        'PICC',
        '中国人民财产保险',
        100,
        80,
        20,
        `PHID-CYZF-${orderNo}`,
        req.callback,
        'open',
        null,
        req.events ? 2 : 1,
        now + 30 * 60_000,
        null,
        null,
        null,
        now,
        now,
      ],
      event: req.events
        ? [
            eventId,
            orderNo,
            'demo',
            req.callback,
            'order_created',
            1,
            0,
            JSON.stringify({
              order_no: orderNo,
              refer_no: referNo,
              res_code: 'ZF0230',
              res_info: '订单已创建，等待支付',
              event: 'order_created',
              event_id: eventId,
              seq: 1,
              final: false,
              paid_amount: '0.00',
              created_at: new Date(now).toISOString(),
            }),
            'pending',
            0,
            now,
            now,
          ]
        : null,
      // The two holds createOrder places (the coverage book and the insurer quota), timed out with the order + grace.
      holds: [
        [
          `order:${orderNo}:coverage-hold`,
          'coverage',
          `policy_coverage:${u.policyNo}`,
          'coverage_issued',
          'coverage hold for an open order',
        ],
        [`order:${orderNo}:quota-hold`, 'quota', 'insurer_quota:PICC', 'quota_issued', 'insurer quota hold for an open order'],
      ].map(([key, book, from, to, memo]) => [
        id('PT'),
        key,
        book,
        from,
        to,
        80,
        null,
        'pending',
        now + 30 * 60_000 + HOLD_GRACE_MS,
        orderNo,
        memo,
        now,
        null,
      ]),
      orderNo,
      referNo,
    };
  });
  return orders;
}
const ORDER_INSERT =
  'INSERT INTO orders (order_no, partner_id, refer_no, active_ref, claim_no, user_id, policy_no, ic_code, insurer_name, amount_fen, insurer_fen, self_pay_fen, marker, callback_url, status, settlement_step, next_seq, deadline_at, paid_at, paid_attempt_id, closed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const EVENT_INSERT =
  'INSERT INTO callback_events (id, order_no, partner_id, url, event, seq, final, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const HOLD_INSERT =
  'INSERT INTO ledger_pending (id, idempotency_key, book, from_account, to_account, amount_fen, posted_fen, status, timeout_at, order_no, memo, created_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const HOLD_DEBIT = 'UPDATE ledger_accounts SET debits_pending_fen = debits_pending_fen + ? WHERE id = ?';
const HOLD_CREDIT = 'UPDATE ledger_accounts SET credits_pending_fen = credits_pending_fen + ? WHERE id = ?';
/** The env default HOLD_GRACE_MINUTES (the BFF under bench runs with it). */
const HOLD_GRACE_MS = 60 * 60_000;

/** What the holds of `rows` add to each account's pending debits and credits (the accounts exist: seedDatabase funds them). */
function pendingTotals(rows: ReturnType<typeof seedRows>): Array<[string, number, number]> {
  const totals = new Map<string, [number, number]>();
  const add = (account: string, debit: number, credit: number) => {
    const t = totals.get(account) ?? [0, 0];
    totals.set(account, [t[0] + debit, t[1] + credit]);
  };
  for (const r of rows)
    for (const h of r.holds) {
      add(h[3] as string, 80, 0);
      add(h[4] as string, 0, 80);
    }
  return [...totals].map(([account, [debit, credit]]) => [account, debit, credit]);
}

type SeedFn = (req: SeedRequest) => Promise<Array<{ orderNo: string; referNo: string; claimNo: string }>>;

export function seeder(url: string): SeedFn {
  if (url.startsWith('sqlite:')) {
    const db = new SQLite(url.slice('sqlite:'.length));
    db.pragma('busy_timeout = 5000');
    const ins = db.prepare(ORDER_INSERT);
    const ev = db.prepare(EVENT_INSERT);
    const hold = db.prepare(HOLD_INSERT);
    const debit = db.prepare(HOLD_DEBIT);
    const credit = db.prepare(HOLD_CREDIT);
    const txn = db.transaction((rows: ReturnType<typeof seedRows>) => {
      for (const r of rows) {
        ins.run(...r.values);
        if (r.event) ev.run(...r.event);
        for (const h of r.holds) hold.run(...h);
      }
      for (const [account, d, c] of pendingTotals(rows)) {
        if (d && debit.run(d, account).changes !== 1) throw new Error(`no ledger account ${account}`);
        if (c && credit.run(c, account).changes !== 1) throw new Error(`no ledger account ${account}`);
      }
    });
    return async (req) => {
      const rows = seedRows(req, Date.now());
      txn.immediate(rows);
      return rows.map((r) => ({ orderNo: r.orderNo, referNo: r.referNo, claimNo: r.u.claimNo }));
    };
  }
  const db = createPool({ uri: url, connectionLimit: 2, supportBigNumbers: true, decimalNumbers: true, timezone: 'Z', charset: 'utf8mb4' });
  return async (req) => {
    const rows = seedRows(req, Date.now());
    const conn = await db.getConnection();
    try {
      await conn.beginTransaction();
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await conn.query(`${ORDER_INSERT.split(' VALUES ')[0]} VALUES ?`, [chunk.map((r) => r.values)]);
        const events = chunk.filter((r) => r.event).map((r) => r.event);
        if (events.length) await conn.query(`${EVENT_INSERT.split(' VALUES ')[0]} VALUES ?`, [events]);
      }
      for (let i = 0; i < rows.length; i += 500) {
        const holds = rows.slice(i, i + 500).flatMap((r) => r.holds);
        await conn.query(`${HOLD_INSERT.split(' VALUES ')[0]} VALUES ?`, [holds]);
      }
      for (const [account, d, c] of pendingTotals(rows)) {
        for (const [sqlText, fen] of [
          [HOLD_DEBIT, d],
          [HOLD_CREDIT, c],
        ] as const) {
          if (!fen) continue;
          const [res] = await conn.execute<ResultSetHeader>(sqlText, [fen, account]);
          if (res.affectedRows !== 1) throw new Error(`no ledger account ${account}`);
        }
      }
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
    return rows.map((r) => ({ orderNo: r.orderNo, referNo: r.referNo, claimNo: r.u.claimNo }));
  };
}
