// The api_core_v2 quota records behind configurable table names and their own connection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../bootstrap.ts';
import { testConfig } from '../../env.ts';
import { createLogger } from '../../lib/logger.ts';
import { describeEachDatabase } from '../../../testing/harness.ts';

describeEachDatabase(
  'insurer quota with configured table names',
  (get) => {
    it('sums recharges minus deductions from the configured tables and deducts once per order', async () => {
      const ctx = get();
      const { token } = await ctx.enter();
      const created = await ctx.call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' });
      await ctx.call('POST', `/api/orders/${created.body.order.order_no}/pay/balance`, token, { pin: '123456' });
      const rows = await sql<{
        type: number;
        amount: number;
        ref_no: string;
      }>`select type, amount, ref_no from ${sql.table('ic_quota_log')} where ic_code = 'PICC' order by type`.execute(ctx.deps.db);
      expect(rows.rows.map((r) => [Number(r.type), Number(r.amount), r.ref_no])).toEqual([
        [1, 100_000_000, 'seed:PICC'],
        [2, 8000, created.body.order.order_no],
      ]);
      expect(await ctx.deps.quota.deduct('PICC', 8000, created.body.order.order_no, ctx.clock.now())).toBe(false);
      expect(await ctx.deps.quota.remaining('PICC')).toBe(100_000_000 - 8000);
      expect(await ctx.deps.quota.insurerName('PAIC')).toBe('中国平安财产保险');
    });
  },
  { QUOTA_INSURER_TABLE: 'ic_list', QUOTA_RECORD_TABLE: 'ic_quota_log' },
);

describe('insurer quota on its own connection [sqlite]', () => {
  it('reads and writes the quota records in the other database, not ours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zf-quota-'));
    const runtime = await createRuntime(
      testConfig({
        DATABASE_URL: `sqlite:${join(dir, 'wallet.db')}`,
        QUOTA_DATABASE_URL: `sqlite:${join(dir, 'api_core_v2.db')}`,
        SEED_DEMO: 'true',
      }),
      { logger: createLogger('silent') },
    );
    try {
      expect(await runtime.deps.quota.remaining('PICC')).toBe(100_000_000);
      const ours = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name = 'insurer_quota_records'`.execute(runtime.deps.db);
      expect(ours.rows).toHaveLength(0);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
