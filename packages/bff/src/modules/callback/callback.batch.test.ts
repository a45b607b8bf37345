// The batched dispatcher (issue 11): several instances drain one backlog, each event delivered once, one order's events
// in seq order; a run drains the whole backlog (not one batch); the statements per delivery stay a small fraction.
import type { LogEvent } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { insertEvent } from './callback.repository.ts';
import { claimBatch, dueBatch } from './callback-batch.repository.ts';
import { deliverDueCallbacks } from './callback.worker.ts';

let counting = false;
let statements = 0;
const log = (e: LogEvent) => {
  if (counting && e.level === 'query') statements++;
};

/** `orders` orders with `perOrder` events each (seq 1…), all due now. */
async function queue(ctx: TestContext, orders: number, perOrder: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.deps.db.transaction().execute(async (trx) => {
    for (let o = 0; o < orders; o++) {
      for (let seq = 1; seq <= perOrder; seq++) {
        const id = `evt_b_${o}_${seq}`;
        await insertEvent(trx, {
          id,
          order_no: `ZFB${String(o).padStart(10, '0')}`,
          partner_id: DEMO.partnerId,
          url: ctx.partner.url,
          event: seq === perOrder ? 'paid' : 'order_created',
          seq,
          final: seq === perOrder ? 1 : 0,
          payload: JSON.stringify({ order_no: `ZFB${String(o).padStart(10, '0')}`, seq, event_id: id }),
          created_at: now,
        });
      }
    }
  });
}

describeEachDatabase(
  'batched callback dispatcher',
  (get) => {
    it('three instances drain 1 200 events: each delivered once, every order in seq order, a round at most per seq', async () => {
      const ctx = get();
      await queue(ctx, 400, 3);
      // An instance that reads an order's later events while another has its earlier one in flight defers them by a
      // second or two (SENDING_WAIT_MS, rounded up); the other makes them due again when it records the earlier one,
      // unless the deferral lands just after that. The manual clock does not move by itself, so a round is three runs
      // and then 2 s: every round sends each order's first undelivered event. The second and third runs start when the
      // first one's first callback arrives, its claim in flight (the race the CI of stop 17 lost: 500 of 1 200).
      const rounds: number[] = [];
      for (let left = 1200; left > 0 && rounds.length < 4; ctx.clock.advance(2000)) {
        const others: Promise<{ delivered: number }>[] = [];
        ctx.partner.statusFor = () => {
          if (others.length === 0) others.push(deliverDueCallbacks(ctx.deps), deliverDueCallbacks(ctx.deps));
          return 200;
        };
        const first = await deliverDueCallbacks(ctx.deps);
        const reports = [first, ...(await Promise.all(others))];
        rounds.push(reports.reduce((n, r) => n + r.delivered, 0));
        left -= rounds.at(-1)!;
      }
      ctx.partner.statusFor = null;
      expect(
        rounds.reduce((a, b) => a + b, 0),
        `delivered per round: ${rounds.join(', ')}`,
      ).toBe(1200);
      expect(rounds.length).toBeLessThanOrEqual(3);
      expect(rounds[0]).toBeGreaterThanOrEqual(400);
      const ids = ctx.partner.received.map((r) => String(r.json.event_id));
      expect(new Set(ids).size).toBe(1200);
      expect(ids).toHaveLength(1200);
      const lastSeq = new Map<string, number>();
      for (const r of ctx.partner.received) {
        const order = String(r.json.order_no);
        expect(Number(r.json.seq), `${order} out of order`).toBe((lastSeq.get(order) ?? 0) + 1);
        lastSeq.set(order, Number(r.json.seq));
      }
      const left = await ctx.deps.db.selectFrom('callback_events').select('id').where('status', '!=', 'delivered').execute();
      expect(left).toHaveLength(0);
      const deliveries = await ctx.deps.db.selectFrom('callback_deliveries').select('event_id').execute();
      expect(deliveries).toHaveLength(1200);
    });

    it("a delivered event makes its order's later, never-tried events due at once; a retry keeps its schedule", async () => {
      const ctx = get();
      await queue(ctx, 3, 2);
      const now = ctx.clock.now();
      // As another instance leaves them: order 0's paid event held back behind its first one (in flight there), order
      // 1's failed once and waiting for its retry.
      const later = (o: number) => `evt_b_${o}_2`;
      await ctx.deps.db
        .updateTable('callback_events')
        .set({ next_attempt_at: now + 2000 })
        .where('id', '=', later(0))
        .execute();
      await ctx.deps.db
        .updateTable('callback_events')
        .set({ next_attempt_at: now + 2000, attempts: 1, last_status: 500 })
        .where('id', '=', later(1))
        .execute();
      const report = await deliverDueCallbacks(ctx.deps);
      expect(report.delivered).toBe(5);
      const sent = ctx.partner.received.map((r) => String(r.json.event_id));
      expect(sent.filter((id) => id.startsWith('evt_b_0_'))).toEqual(['evt_b_0_1', 'evt_b_0_2']);
      expect(sent).not.toContain(later(1));
      const retry = await ctx.deps.db
        .selectFrom('callback_events')
        .select(['status', 'next_attempt_at'])
        .where('id', '=', later(1))
        .executeTakeFirstOrThrow();
      expect({ status: retry.status, at: Number(retry.next_attempt_at) }).toEqual({ status: 'pending', at: now + 2000 });
    });

    it('a batch claim wins only events still due: a second claim of the same events gets none', async () => {
      const ctx = get();
      await queue(ctx, 5, 2);
      const now = ctx.clock.now();
      const due = await dueBatch(ctx.deps.db, now, 100);
      expect(due).toHaveLength(10);
      const ids = due.map((e) => e.id);
      expect((await claimBatch(ctx.deps.db, ids.slice(0, 4), now, now + 60_000, 'a'.repeat(32))).size).toBe(4);
      const second = await claimBatch(ctx.deps.db, ids, now, now + 60_000, 'b'.repeat(32));
      expect([...second].sort()).toEqual(ids.slice(4).sort());
      // Once the lease lapsed, a crashed claimer's events are due again.
      expect(await dueBatch(ctx.deps.db, now + 60_001, 100)).toHaveLength(10);
    });

    it('delivers 1 000 events in under one statement per 20 deliveries (batch claims and records)', async () => {
      const ctx = get();
      await queue(ctx, 500, 2);
      counting = true;
      statements = 0;
      const report = await deliverDueCallbacks(ctx.deps);
      counting = false;
      expect(report.delivered).toBe(1000);
      expect(statements).toBeLessThanOrEqual(50);
    });
  },
  {},
  { log },
);
