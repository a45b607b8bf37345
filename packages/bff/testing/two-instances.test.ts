// Two BFF processes on one MariaDB sharing the jobs (issue 12): callback delivery, order expiry, settlement recovery
// and Payzero polling run in both, claimed by conditional updates with leases (no SELECT … FOR UPDATE SKIP LOCKED:
// TiDB ignores it). Under a burst of payments — each order paid on both instances at once — and orders expiring
// mid-burst: no event sent twice in one attempt, no order both closed and paid, each paid order settled once with one
// `paid` callback, both books sum to zero.
import { describe, expect, it } from 'vitest';
import { createPayzeroSimulator } from '../dev/payzero/simulator.ts';
import { connect } from '../src/db/database.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { demoLinkParams, postJson, randomPort, startBff, until, type BffProcess } from './bff-process.ts';
import { DATABASE_TARGETS, PartnerEndpoint } from './harness.ts';
import { TEST_CREDENTIALS } from './payzero.ts';

const BALANCE_ORDERS = 12;
const CARD_ORDERS = 4;
const EXPIRING_ORDERS = 6;

describe.skipIf(!process.env.TEST_MYSQL_URL)('[mariadb] two BFF processes sharing the jobs on one database', () => {
  it('a burst of payments and expiring orders: each paid order settled once, one paid callback, none closed and paid, Σ = 0', async () => {
    const target = (await DATABASE_TARGETS.find((t) => t.name === 'mariadb')!.create())!;
    const partner = new PartnerEndpoint();
    await partner.start();
    const sim = createPayzeroSimulator({ ...TEST_CREDENTIALS, timeScale: 0.5 });
    const simServer = await sim.start();
    sim.dropNotifies(true); // card results only by polling, which both instances run
    const ports = [randomPort(), randomPort()];
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    const common = {
      NODE_ENV: 'development',
      DATABASE_URL: target.url,
      SEED_DEMO: 'true',
      JOBS: 'true',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      PAYZERO_BASE_URL: simServer.url,
      PAYZERO_USERNAME: TEST_CREDENTIALS.username,
      PAYZERO_PASSWORD: TEST_CREDENTIALS.password,
      PAYZERO_SIGN_TOKEN: TEST_CREDENTIALS.signToken,
      RATE_LIMIT_SESSION_PER_IP: '10000/60',
      RATE_LIMIT_SESSION_PER_PARTNER: '10000/60',
      RATE_LIMIT_PIN_PER_USER: '10000/900',
      RATE_LIMIT_PIN_PER_IP: '10000/900',
    };
    const conn = connect(target.url);
    const bffs: BffProcess[] = [];
    try {
      // The first seeds and migrates; the second starts on the same database.
      for (const [i, port] of ports.entries()) {
        const bff = startBff({ ...common, PORT: String(port), PUBLIC_BASE_URL: bases[i]! });
        bffs.push(bff);
        await until(`BFF ${i}`, async () => (await fetch(`${bases[i]}/healthz`)).ok, 60_000).catch((err: Error) => {
          throw new Error(`${err.message}: ${bff.output()}`);
        });
      }
      const open = async (referNo: string, via: number) => {
        const s = await postJson(bases[via]!, '/api/session', { params: demoLinkParams(bases[via]!, referNo, partner.url, '10.00') });
        expect(s?.status, JSON.stringify(s)).toBe(200);
        const token = s!.body.token as string;
        const o = await postJson(bases[via]!, '/api/orders', { policy_no: 'POL-PICC-001' }, token);
        expect(o?.status, JSON.stringify(o)).toBe(201);
        return { token, orderNo: (o!.body.order as { order_no: string }).order_no };
      };
      const run = Date.now().toString(36);
      const balance = await Promise.all(Array.from({ length: BALANCE_ORDERS }, (_, i) => open(`TWO-${run}-B${i}`, i % 2)));
      const card = await Promise.all(Array.from({ length: CARD_ORDERS }, (_, i) => open(`TWO-${run}-C${i}`, i % 2)));
      const expiring = await Promise.all(Array.from({ length: EXPIRING_ORDERS }, (_, i) => open(`TWO-${run}-E${i}`, i % 2)));
      // The expiring orders' deadlines fall in the middle of the burst; half of them are paid at about that moment.
      const deadline = Date.now() + 400;
      await conn.db
        .updateTable('orders')
        .set({ deadline_at: deadline })
        .where(
          'order_no',
          'in',
          expiring.map((e) => e.orderNo),
        )
        .execute();

      // Each order is paid on BOTH instances at once, one order at a time per lane (a lane for the burst, one for the
      // expiring orders): every order belongs to the demo's one funded user, and more than PIN_MAX_TRIES (5) PIN checks
      // of one user in flight at once lock the PIN.
      const both = (path: string, body: unknown, token: string) => Promise.all(bases.map((b) => postJson(b, path, body, token)));
      const jobs: (() => Promise<Awaited<ReturnType<typeof both>>>)[] = [
        ...balance.map((o) => () => both(`/api/orders/${o.orderNo}/pay/balance`, { pin: DEMO.pin }, o.token)),
        ...card.map((o) => () => both(`/api/orders/${o.orderNo}/pay/card`, { card_id: 'CARD-DEMO-001', pin: DEMO.pin }, o.token)),
      ];
      const answers: Awaited<ReturnType<typeof both>>[] = [];
      const burst = (async () => {
        for (const job of jobs) answers.push(await job());
      })();
      // Meanwhile half of the expiring orders are paid at about their deadline.
      const racing = (async () => {
        const out: Awaited<ReturnType<typeof both>>[] = [];
        await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() - 60)));
        for (const o of expiring.filter((_, i) => i % 2 === 0))
          out.push(await both(`/api/orders/${o.orderNo}/pay/balance`, { pin: DEMO.pin }, o.token));
        return out;
      })();
      await burst;
      answers.push(...(await racing));
      for (const pair of answers) for (const a of pair) expect(a, 'every request answered').not.toBeNull();
      for (const pair of answers.slice(0, BALANCE_ORDERS))
        expect(pair.map((a) => a!.status).sort(), JSON.stringify(pair) + bffs.map((b) => b.output()).join('\n')).toEqual([200, 409].sort());

      const all = [...balance, ...card, ...expiring].map((o) => o.orderNo);
      await until(
        'every order final and every callback delivered',
        async () => {
          const orders = await conn.db.selectFrom('orders').select('status').where('order_no', 'in', all).execute();
          const pending = await conn.db
            .selectFrom('callback_events')
            .select('id')
            .where('order_no', 'in', all)
            .where('status', '!=', 'delivered')
            .execute();
          return orders.every((o) => o.status === 'settled' || o.status === 'closed') && pending.length === 0;
        },
        45_000,
      );

      const rows = await conn.db
        .selectFrom('orders')
        .select(['order_no', 'status', 'settlement_step'])
        .where('order_no', 'in', all)
        .execute();
      for (const o of [...balance, ...card]) expect(rows.find((r) => r.order_no === o.orderNo)).toMatchObject({ status: 'settled' });
      const attempts = await conn.db.selectFrom('payment_attempts').select(['order_no', 'status']).where('order_no', 'in', all).execute();
      const transfers = await conn.db
        .selectFrom('ledger_transfers')
        .select(['order_no', 'idempotency_key'])
        .where('order_no', 'in', all)
        .execute();
      const events = await conn.db.selectFrom('callback_events').select(['id', 'order_no', 'event']).where('order_no', 'in', all).execute();
      for (const r of rows) {
        const mine = (e: { order_no: string | null }) => e.order_no === r.order_no;
        const succeeded = attempts.filter((a) => mine(a) && a.status === 'succeeded');
        const paidEvents = events.filter((e) => mine(e) && e.event === 'paid');
        const closedEvents = events.filter((e) => mine(e) && e.event === 'closed');
        if (r.status === 'settled') {
          expect([succeeded.length, paidEvents.length, closedEvents.length, r.settlement_step], r.order_no).toEqual([1, 1, 0, 'notified']);
          expect(
            transfers
              .filter(mine)
              .map((t) => t.idempotency_key.split(':')[2])
              .sort(),
            r.order_no,
          ).toEqual(['coverage', 'insurer', 'quota', 'selfpay']);
          const received = partner.received.filter((c) => c.json.order_no === r.order_no && c.json.event === 'paid');
          expect(new Set(received.map((c) => c.json.event_id)).size, r.order_no).toBe(1);
        } else {
          // Closed: nothing paid, nothing moved, a closed callback and no paid one.
          expect([succeeded.length, paidEvents.length, closedEvents.length], r.order_no).toEqual([0, 0, 1]);
          expect(transfers.filter(mine)).toEqual([]);
        }
      }
      // No event sent twice in one attempt, and the partner saw exactly one request per recorded attempt.
      const deliveries = await conn.db
        .selectFrom('callback_deliveries')
        .select(['event_id', 'attempt'])
        .where(
          'event_id',
          'in',
          events.map((e) => e.id),
        )
        .execute();
      expect(new Set(deliveries.map((d) => `${d.event_id}#${d.attempt}`)).size).toBe(deliveries.length);
      const sent = partner.received.filter((c) => all.includes(String(c.json.order_no)));
      expect(sent).toHaveLength(deliveries.length);

      const check = await checkLedger(conn.db);
      expect(check.bookTotals).toEqual({ cash: 0, quota: 0, coverage: 0 });
      expect(check.drifted).toEqual([]);
      const settled = rows.filter((r) => r.status === 'settled').length;
      console.log(
        `[two-instances] ${all.length} orders (${answers.length * 2} payment requests on 2 processes): ${settled} settled once, ${rows.length - settled} closed, ${deliveries.length} callback attempts, none twice; Σ = 0`,
      );
    } finally {
      for (const b of bffs) {
        b.child.kill('SIGTERM');
        await b.exited;
      }
      await conn.destroy();
      await simServer.close();
      await partner.stop();
      await target.drop();
    }
  }, 120_000);
});
