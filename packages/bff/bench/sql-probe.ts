// `pnpm --filter @zf/bff exec tsx bench/sql-probe.ts`: the SQL one request costs (statements, transactions, order row
// reads, per table) for one balance payment, one order creation and one cashier read, the BFF in-process on SQLite.
// --explain [mysql://…/]: each select/update/delete's plan (EXPLAIN QUERY PLAN on a SQLite file; EXPLAIN on a fresh
// database of that MySQL/MariaDB server), run with the statement's own parameters after the probe.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { connect } from '../src/db/database.ts';
import { createMysqlDatabase } from './lib/bff.ts';
import { probeStatements } from './lib/probe.ts';

const eIdx = process.argv.indexOf('--explain');
const explain = eIdx > 0;
const mysqlBase = explain && process.argv[eIdx + 1]?.startsWith('mysql') ? process.argv[eIdx + 1]! : null;
let url = 'sqlite::memory:';
let drop = async () => {};
if (explain) {
  if (mysqlBase) ({ url, drop } = await createMysqlDatabase(mysqlBase, `zf_probe_${process.pid}`));
  else url = `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'zf-probe-')), 'p.db')}`;
}
// --steps: settlement by the recorded steps (SETTLE_IN_PAYMENT=false), to see what settling in the payment's transaction buys.
const counts = await probeStatements({ ...(process.argv.includes('--steps') ? { SETTLE_IN_PAYMENT: 'false' } : {}), DATABASE_URL: url });
const { db, destroy } = explain ? connect(url) : { db: null, destroy: async () => {} };
for (const [name, c] of Object.entries(counts)) {
  console.log(
    `${name}: ${c.statements} statements (${c.selects} selects, ${c.writes} writes) in ${c.transactions} transactions, order row read ${c.orderRowReads}×`,
  );
  console.log(`  by table: ${JSON.stringify(c.byTable)}`);
  if (process.argv.includes('--list') || explain)
    for (const [i, q] of c.list.entries()) {
      console.log(`    ${q.slice(0, 160)}`);
      if (!db || !/^\s*(select|update|delete)/i.test(q)) continue;
      const params = c.params[i] ?? [];
      const text = `${mysqlBase ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${q}`;
      const parts = text.split('?');
      const plan = await sql<Record<string, unknown>>`${sql.join(
        parts.map((p, k) => (k < params.length ? sql`${sql.raw(p)}${params[k]}` : sql.raw(p))),
        sql``,
      )}`.execute(db);
      for (const row of plan.rows)
        console.log(
          `        ${mysqlBase ? `${row.table}: type=${row.type} key=${row.key} rows=${row.rows} ${row.Extra ?? ''}` : String(row.detail)}`,
        );
    }
}
await destroy();
await drop();
