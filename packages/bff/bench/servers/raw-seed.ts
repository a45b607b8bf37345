// The raw-driver baseline's order supply: `n` open orders written straight into the database by prepared statements
// (better-sqlite3, or mysql2 multi-row inserts), row for row what the BFF's createOrder writes, so the raw pay endpoint
// and the BFF pay the same kind of order.
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { createPool } from 'mysql2/promise';

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
 * (¥1.00 under the users' 80 % PICC policies: insurer ¥0.80 reserved from coverage, self-pay ¥0.20, PHID-CYZF- marker).
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
              res_code: 'ZF0100',
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
const COVERAGE = 'UPDATE policies SET coverage_left_fen = coverage_left_fen - ? WHERE policy_no = ?';

type SeedFn = (req: SeedRequest) => Promise<Array<{ orderNo: string; referNo: string; claimNo: string }>>;

export function seeder(url: string): SeedFn {
  if (url.startsWith('sqlite:')) {
    const db = new SQLite(url.slice('sqlite:'.length));
    db.pragma('busy_timeout = 5000');
    const ins = db.prepare(ORDER_INSERT);
    const ev = db.prepare(EVENT_INSERT);
    const cov = db.prepare(COVERAGE);
    const txn = db.transaction((rows: ReturnType<typeof seedRows>) => {
      for (const r of rows) {
        ins.run(...r.values);
        if (r.event) ev.run(...r.event);
        cov.run(80, r.u.policyNo);
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
      const perPolicy = new Map<string, number>();
      for (const r of rows) perPolicy.set(r.u.policyNo, (perPolicy.get(r.u.policyNo) ?? 0) + 80);
      for (const [policy, fen] of perPolicy) await conn.execute(COVERAGE, [fen, policy]);
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
