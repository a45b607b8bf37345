// Crash tests on MariaDB (issue 12): the real BFF process (tsx src/server.ts, jobs on) is kill -9'd by FAULT_KILL_AT at
// each settlement step and right after the paid callback reached the partner; restarted, every order ends settled exactly
// once with one `paid` event (re-sends keep its event_id), the quota is deducted once and both books sum to zero.
import { buildSignedLink } from '@zf/shared/partner';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/db/database.ts';
import { checkLedger } from '../src/ledger/ledger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { startBff, until } from './bff-process.ts';
import { DATABASE_TARGETS, PartnerEndpoint } from './harness.ts';

const KILL_POINTS = process.env.CRASH_POINTS
  ? process.env.CRASH_POINTS.split(',')
  : [
      'settlement:pending',
      'settlement:quota_checked',
      'settlement:deducted',
      'settlement:cleared',
      'settlement:notified',
      'callback:sent:paid',
    ];

describe.skipIf(!process.env.TEST_MYSQL_URL)('[mariadb] kill -9 at every settlement step and during callback delivery', () => {
  it('restarted, every order is settled exactly once with one paid event; Σ = 0', async () => {
    const target = (await DATABASE_TARGETS.find((t) => t.name === 'mariadb')!.create())!;
    const partner = new PartnerEndpoint();
    await partner.start();
    const port = 21_000 + Math.floor(Math.random() * 20_000);
    const base = `http://127.0.0.1:${port}`;
    const env = {
      NODE_ENV: 'development',
      DATABASE_URL: target.url,
      SEED_DEMO: 'true',
      JOBS: 'true',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: base,
      LOG_LEVEL: 'error',
    };
    const conn = connect(target.url);
    const orders: string[] = [];
    const kills: Record<string, NodeJS.Signals | number | null | 'alive'> = {};
    try {
      for (const point of KILL_POINTS) {
        // The kill points between settlement steps exist on the recorded steps' path (a separate quota connection, recovery);
        // `settlement:notified` and the callback kill the settlement made in the payment's own transaction.
        const steps = !['settlement:notified', 'callback:sent:paid'].includes(point);
        const doomed = startBff({ ...env, FAULT_KILL_AT: point, SETTLE_IN_PAYMENT: steps ? 'false' : 'true' });
        await until('the BFF', async () => (await fetch(`${base}/healthz`)).ok).catch((err: Error) => {
          throw new Error(`${err.message}: ${doomed.output()}`);
        });
        const link = buildSignedLink(
          `${base}/wallet/index.html`,
          {
            partner_id: DEMO.partnerId,
            amout: '100.00',
            refer_no: `REF-CRASH-${point}`,
            claim_no: DEMO.users.zhangsan.claimNo,
            callback: partner.url,
          },
          DEMO.linkSecret,
          Math.floor(Date.now() / 1000),
        );
        const params = Object.fromEntries(new URLSearchParams(link.split('?')[1]));
        const post = (path: string, body: unknown, token?: string) =>
          fetch(`${base}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(body),
          });
        const { token } = (await (await post('/api/session', { params })).json()) as { token: string };
        const { order } = (await (await post('/api/orders', { policy_no: 'POL-PICC-001' }, token)).json()) as {
          order: { order_no: string };
        };
        orders.push(order.order_no);
        // The payment's own request dies with the process for settlement steps; callback:sent:paid dies in the delivery job.
        await post(`/api/orders/${order.order_no}/pay/balance`, { pin: DEMO.pin }, token).catch(() => null);
        kills[point] = await Promise.race([doomed.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 20_000))]);
        if (kills[point] === 'alive') doomed.child.kill('SIGKILL');
        expect(kills[point], `${point}: ${doomed.output()}`).toBe('SIGKILL');

        const healthy = startBff(env);
        try {
          await until(`order ${order.order_no} settled and called back after ${point}`, async () => {
            const row = await conn.db
              .selectFrom('orders')
              .select(['status', 'settlement_step'])
              .where('order_no', '=', order.order_no)
              .executeTakeFirst();
            return row?.status === 'settled' && partner.received.some((r) => r.json.order_no === order.order_no && r.json.event === 'paid');
          }).catch(async (err: Error) => {
            const row = await conn.db
              .selectFrom('orders')
              .select(['status', 'settlement_step'])
              .where('order_no', '=', order.order_no)
              .executeTakeFirst();
            throw new Error(
              `${err.message}; order ${JSON.stringify(row)}; partner got ${partner.events().join(',')}; BFF said: ${healthy.output()}`,
            );
          });
        } finally {
          healthy.child.kill('SIGTERM');
          await healthy.exited;
        }
      }
      for (const orderNo of orders) {
        const row = await conn.db
          .selectFrom('orders')
          .select(['status', 'settlement_step'])
          .where('order_no', '=', orderNo)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ status: 'settled', settlement_step: 'notified' });
        const events = await conn.db.selectFrom('callback_events').select(['id', 'event']).where('order_no', '=', orderNo).execute();
        expect(events.filter((e) => e.event === 'paid')).toHaveLength(1);
        const paidIds = new Set(
          partner.received.filter((r) => r.json.order_no === orderNo && r.json.event === 'paid').map((r) => r.json.event_id),
        );
        expect(paidIds.size, orderNo).toBe(1); // re-sent after callback:sent:paid, but as the same event
        const transfers = await conn.db.selectFrom('ledger_transfers').select('idempotency_key').where('order_no', '=', orderNo).execute();
        // The insurer share also leaves the policy's coverage account (the ledger's coverage book).
        expect(transfers.map((t) => t.idempotency_key).sort()).toEqual([
          `order:${orderNo}:coverage`,
          `order:${orderNo}:insurer`,
          `order:${orderNo}:quota`,
          `order:${orderNo}:selfpay`,
        ]);
      }
      const check = await checkLedger(conn.db);
      expect(check.bookTotals).toEqual({ cash: 0, quota: 0, coverage: 0 });
      expect(check.drifted).toEqual([]);
      console.log(
        `[crash] ${KILL_POINTS.length} kill -9 injected (${KILL_POINTS.join(', ')}): ${orders.length} orders settled once, one paid event each, books Σ = 0`,
      );
    } finally {
      await conn.destroy();
      await partner.stop();
      await target.drop();
    }
  }, 900_000);
});
