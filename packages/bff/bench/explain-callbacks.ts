// `tsx bench/explain-callbacks.ts [mysql://…/]`: the dispatcher's statements' plans (EXPLAIN QUERY PLAN on a SQLite file,
// EXPLAIN on a fresh database of that MySQL/MariaDB server) over a queue of BENCH_BACKLOG (2 000) events.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Compilable, type RawBuilder, type SqlBool } from 'kysely';
import { createRuntime } from '../src/bootstrap.ts';
import { testConfig } from '../src/env.ts';
import { createLogger } from '../src/lib/logger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { insertEvent } from '../src/modules/callback/callback.repository.ts';
import { createMysqlDatabase } from './lib/bff.ts';

// The same row conditions as callback-batch.repository.ts.
const rowIs = (cond: RawBuilder<unknown>) => sql<SqlBool>`(case when ${cond} then 1 else 0 end) = 1`;
const mysqlBase = process.argv[2]?.startsWith('mysql') ? process.argv[2] : null;
const N = Number(process.env.BENCH_BACKLOG ?? 2000);
const { url, drop } = mysqlBase
  ? await createMysqlDatabase(mysqlBase, `zf_explain_${process.pid}`)
  : { url: `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'zf-explain-')), 'e.db')}`, drop: async () => {} };
const runtime = await createRuntime(testConfig({ DATABASE_URL: url, SEED_DEMO: 'true' }), { logger: createLogger('silent') });
const db = runtime.deps.db;
const now = Date.now();
await db.transaction().execute(async (trx) => {
  for (let j = 0; j < N; j++)
    await insertEvent(trx, {
      id: `evt_x_${j}`,
      order_no: `ZFX${String(Math.floor(j / 2)).padStart(8, '0')}`,
      partner_id: DEMO.partnerId,
      url: 'http://127.0.0.1:9/cb',
      event: j % 2 ? 'paid' : 'order_created',
      seq: (j % 2) + 1,
      final: j % 2,
      payload: '{}',
      created_at: now - (N - j),
    });
});
const ids = Array.from({ length: 500 }, (_, j) => `evt_x_${j}`);
const orders = Array.from({ length: 250 }, (_, j) => `ZFX${String(j).padStart(8, '0')}`);
const statements: Array<[string, Compilable]> = [
  [
    'dueBatch (pending)',
    db
      .selectFrom('callback_events')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('seq')
      .limit(500),
  ],
  [
    'dueBatch (lapsed)',
    db
      .selectFrom('callback_events')
      .selectAll()
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .orderBy('lease_until')
      .limit(500),
  ],
  [
    'undeliveredSeqs',
    db
      .selectFrom('callback_events')
      .select(['order_no', 'seq', 'status', 'next_attempt_at'])
      .where('order_no', 'in', orders)
      .where(rowIs(sql`status in ('pending', 'sending')`)),
  ],
  [
    'undeliveredSeqs (as before: plain status filter)',
    db
      .selectFrom('callback_events')
      .select(['order_no', 'seq'])
      .where('order_no', 'in', orders)
      .where('status', 'in', ['pending', 'sending']),
  ],
  [
    'claimBatch',
    db
      .updateTable('callback_events')
      .set({ status: 'sending', lease_until: now + 60_000, claim_token: 't' })
      .where('id', 'in', ids)
      .where(rowIs(sql`(status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and lease_until < ${now})`)),
  ],
  [
    'claimBatch (as before: plain or)',
    db
      .updateTable('callback_events')
      .set({ status: 'sending', lease_until: now + 60_000, claim_token: 't' })
      .where('id', 'in', ids)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      ),
  ],
  [
    'deferEvents (unclaimed)',
    db
      .updateTable('callback_events')
      .set({ next_attempt_at: now + 1000 })
      .where('id', 'in', ids)
      .where(rowIs(sql`status = 'pending' and next_attempt_at <= ${now}`)),
  ],
  [
    'recordDelivered',
    db
      .updateTable('callback_events')
      .set({ status: 'delivered', delivered_at: now, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', ids)
      .where('claim_token', '=', 't'),
  ],
  [
    'pullForward (orders)',
    db
      .updateTable('callback_events')
      .set({ next_attempt_at: now })
      .where('order_no', 'in', orders)
      .where(rowIs(sql`status = 'pending' and next_attempt_at > ${now} and attempts < ${4}`)),
  ],
];
for (const [name, q] of statements) {
  const c = q.compile();
  const plan = await sql<Record<string, unknown>>`${sql.raw(mysqlBase ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ')}${sql.join(
    c.sql.split('?').map((p, k) => (k < c.parameters.length ? sql`${sql.raw(p)}${c.parameters[k]}` : sql.raw(p))),
    sql``,
  )}`.execute(db);
  console.log(name);
  for (const row of plan.rows)
    console.log(
      `    ${mysqlBase ? `${row.table}: type=${row.type} key=${row.key} rows=${row.rows} ${row.Extra ?? ''}` : String(row.detail)}`,
    );
}
await runtime.close();
await drop();
