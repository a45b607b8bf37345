import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../testing/harness.ts';
import { inTransaction } from '../../db/database.ts';
import { deliverAlertPushes } from './alert-push.worker.ts';
import { raiseAlert } from './alert.service.ts';

describeEachDatabase('alert pushes to the admin robot webhook', (ctx) => {
  it('pushes each alert once, in the robot markdown format, retrying until the robot takes it', async () => {
    // The harness partner endpoint stands in for the robot: a real HTTP server on 127.0.0.1.
    const robot = ctx().partner;
    ctx().deps.config.admin.webhookUrl = robot.url;
    const raise = () =>
      inTransaction(ctx().deps.db, (trx) =>
        raiseAlert(trx, ctx().deps.logger, {
          kind: 'CLEARING_LEDGER_SHORT',
          dedupeKey: 'CLEARING_LEDGER_SHORT:ZF1',
          orderNo: 'ZF1',
          amountFen: 8000,
          detail: 'clearing ledger cannot cover 80.00',
          now: ctx().clock.now(),
        }),
      );
    expect(await raise()).toBe(true);
    expect(await raise()).toBe(false); // the cause retried: no new alert, no new push

    robot.status = 500;
    expect(await deliverAlertPushes(ctx().deps)).toEqual({ delivered: 0, failed: 1 });
    expect(await deliverAlertPushes(ctx().deps)).toEqual({ delivered: 0, failed: 0 }); // not due yet
    robot.status = 200;
    ctx().clock.advance(5000);
    expect(await deliverAlertPushes(ctx().deps)).toEqual({ delivered: 1, failed: 0 });
    ctx().clock.advance(3600_000);
    expect(await deliverAlertPushes(ctx().deps)).toEqual({ delivered: 0, failed: 0 });

    expect(robot.received).toHaveLength(2);
    const msg = robot.received[1]!.json as { msgtype: string; markdown: { content: string } };
    expect(msg.msgtype).toBe('markdown');
    expect(msg.markdown.content).toContain('CLEARING_LEDGER_SHORT');
    expect(msg.markdown.content).toContain('¥80.00');
    expect(msg.markdown.content).toContain('ZF1');
    const rows = await ctx().deps.db.selectFrom('alert_pushes').selectAll().execute();
    expect(rows.map((r) => [r.status, Number(r.attempts)])).toEqual([['delivered', 2]]);
  });

  it('queues but sends nothing while ADMIN_WEBHOOK_URL is unset', async () => {
    await inTransaction(ctx().deps.db, (trx) =>
      raiseAlert(trx, ctx().deps.logger, { kind: 'LATE_PAYMENT', dedupeKey: 'LATE:1', detail: 'late', now: ctx().clock.now() }),
    );
    expect(await deliverAlertPushes(ctx().deps)).toEqual({ delivered: 0, failed: 0 });
    expect(ctx().partner.received).toHaveLength(0);
  });
});
