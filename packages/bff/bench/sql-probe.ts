// `pnpm --filter @zf/bff exec tsx bench/sql-probe.ts`: the SQL one request costs (statements, transactions, order row
// reads, per table) for one balance payment, one order creation and one cashier read, the BFF in-process on SQLite.
import { probeStatements } from './lib/probe.ts';

// --steps: settlement by the recorded steps (SETTLE_IN_PAYMENT=false), to see what settling in the payment's transaction buys.
const counts = await probeStatements(process.argv.includes('--steps') ? { SETTLE_IN_PAYMENT: 'false' } : {});
for (const [name, c] of Object.entries(counts)) {
  console.log(
    `${name}: ${c.statements} statements (${c.selects} selects, ${c.writes} writes) in ${c.transactions} transactions, order row read ${c.orderRowReads}×`,
  );
  console.log(`  by table: ${JSON.stringify(c.byTable)}`);
  if (process.argv.includes('--list')) for (const q of c.list) console.log(`    ${q.slice(0, 160)}`);
}
