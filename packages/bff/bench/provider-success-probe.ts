// `pnpm --filter @zf/bff exec tsx bench/provider-success-probe.ts [--rounds N] [--per N] [--mysql mysql://…/]`: what one
// provider success costs in SQL and time — a Payzero PAY_SUCCEED notify and a Guanaitong notify, each a signed request
// to the BFF's own notify route (in-process, `app.request`) for an order whose attempt is in flight — settled by the
// recorded steps (SETTLE_IN_PAYMENT=false: what main did for these methods) and in the success's own transaction,
// alternating the two in every round on one machine load. Statements and transactions are counted with Kysely's log
// hook (`begin` included); the time is the notify request's, mean and p50 over the round's successes. Each run ends
// with checkLedger and every order settled once with one `paid` event.
import { buildSignedLink } from '@zf/shared/partner';
import { createApp } from '../src/app.ts';
import { createRuntime } from '../src/bootstrap.ts';
import { testConfig } from '../src/env.ts';
import { checkLedger, ledgerIsClean } from '../src/ledger/ledger.ts';
import { createLogger } from '../src/lib/logger.ts';
import { DEMO } from '../src/modules/demo/demo.seed.ts';
import { findOrder } from '../src/modules/order/order.repository.ts';
import { createAttempt } from '../src/modules/payment/payment.service.ts';
import { signParams } from '../src/providers/guanaitong/sign.ts';
import { payzeroNotifySign } from '../src/providers/payzero/sign.ts';
import { createMysqlDatabase } from './lib/bff.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 3);
const PER = arg('--per', 30);
const mysqlIdx = process.argv.indexOf('--mysql');
const MYSQL = mysqlIdx > 0 ? process.argv[mysqlIdx + 1]! : null;
const LIMITS = Object.fromEntries(
  ['SESSION_PER_PARTNER', 'SESSION_PER_IP', 'ORDER_PER_SESSION', 'NOTIFY_PER_IP'].map((n) => [`RATE_LIMIT_${n}`, '1000000/60']),
);

type Method = 'card' | 'guanaitong';
interface Sample {
  statements: number;
  transactions: number;
  selects: number;
  writes: number;
  ms: number;
}

async function runOnce(mode: 'steps' | 'inline', method: Method, round: number): Promise<Sample[]> {
  let url = 'sqlite::memory:';
  let drop = async () => {};
  if (MYSQL) ({ url, drop } = await createMysqlDatabase(MYSQL, `zf_psp_${process.pid}_${mode}_${method}_${round}`));
  const seen: string[] = [];
  const config = testConfig({ DATABASE_URL: url, SEED_DEMO: 'true', SETTLE_IN_PAYMENT: String(mode === 'inline'), ...LIMITS });
  const runtime = await createRuntime(config, {
    logger: createLogger('silent'),
    log: (e) => {
      if (e.level === 'query') seen.push(e.query.sql);
    },
  });
  const { deps } = runtime;
  const app = createApp(deps);
  const post = async (path: string, body: string, type: string): Promise<[number, string]> => {
    const r = await app.request(path, { method: 'POST', headers: { 'content-type': type }, body });
    return [r.status, await r.text()];
  };
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < PER; i++) {
      const link = buildSignedLink(
        'http://127.0.0.1/wallet/index.html',
        {
          partner_id: DEMO.partnerId,
          amout: '1.00',
          refer_no: `PSP-${i}`,
          claim_no: DEMO.users.zhangsan.claimNo,
          callback: 'http://127.0.0.1:9/cb',
        },
        DEMO.linkSecret,
      );
      const session = JSON.parse(
        String(
          (
            await post(
              '/api/session',
              JSON.stringify({ params: Object.fromEntries(new URLSearchParams(link.split('?')[1])) }),
              'application/json',
            )
          )[1],
        ),
      ) as { token: string };
      const created = await app.request('/api/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ policy_no: 'POL-PICC-001' }),
      });
      const orderNo = ((await created.json()) as { order: { order_no: string } }).order.order_no;
      const order = (await findOrder(deps.db, orderNo))!;
      const now = deps.clock.now();
      const id = `PA${round}${i}${mode[0]}${method[0]}${now}`.slice(0, 28);
      const ref = method === 'card' ? id : `${config.guanaitong.sellerAppid}${id}`.slice(0, 30);
      await createAttempt(deps.db, order, method, now, { id, status: 'submitted', submitted_at: now, provider_ref: ref });
      const fen = Number(order.self_pay_fen);
      seen.length = 0;
      const t0 = performance.now();
      let answer: [number, string];
      if (method === 'card') {
        const msgBody = JSON.stringify({ mchtOrderNo: ref, paymentAmount: fen, payStatus: 'PAY_SUCCEED', paymentOrderNo: `P-${ref}` });
        const timestamp = String(Date.now());
        const body = {
          timestamp,
          msgType: 'PAY_STATUS_NOTIFY',
          msgBody,
          sign: payzeroNotifySign(config.payzero.signToken, timestamp, msgBody),
        };
        answer = await post('/api/providers/payzero/notify', JSON.stringify(body), 'application/json');
      } else {
        const form: Record<string, string> = {
          appid: config.guanaitong.appid,
          outer_trade_no: ref,
          buyer_open_id: 'probe-employee',
          attach: orderNo,
          total_amount: (fen / 100).toFixed(2),
          trade_no: `T-${ref}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
        };
        form.sign = signParams(form, config.guanaitong.appsecret);
        answer = await post('/api/providers/guanaitong/notify', new URLSearchParams(form).toString(), 'application/x-www-form-urlencoded');
      }
      const ms = performance.now() - t0;
      if (process.argv.includes('--list') && i === PER - 1)
        console.log(`--- ${method} ${mode}\n${seen.map((q) => `  ${q.slice(0, 150)}`).join('\n')}`);
      if (answer[0] !== 200) throw new Error(`${method} notify answered ${answer.join(' ')}`);
      const kinds = seen.map((s) => /^\s*(\w+)/.exec(s)?.[1]?.toLowerCase() ?? '');
      samples.push({
        statements: seen.length,
        transactions: kinds.filter((k) => k === 'begin').length,
        selects: kinds.filter((k) => k === 'select').length,
        writes: kinds.filter((k) => k === 'insert' || k === 'update' || k === 'delete').length,
        ms,
      });
      const after = (await findOrder(deps.db, orderNo))!;
      if (after.status !== 'settled')
        throw new Error(`order ${orderNo} ${after.status}/${after.settlement_step} after the ${method} notify`);
    }
    const paid = await deps.db.selectFrom('callback_events').select('order_no').where('event', '=', 'paid').execute();
    if (paid.length !== PER || new Set(paid.map((p) => p.order_no)).size !== PER)
      throw new Error(`${paid.length} paid events for ${PER} orders`);
    const check = await checkLedger(deps.db);
    if (!ledgerIsClean(check)) throw new Error(`ledger: ${JSON.stringify(check)}`);
  } finally {
    await runtime.close();
    await drop();
  }
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const results: Record<string, Sample[]> = {};
for (let round = 0; round < ROUNDS; round++)
  for (const method of ['card', 'guanaitong'] as const)
    for (const mode of round % 2 === 0 ? (['steps', 'inline'] as const) : (['inline', 'steps'] as const))
      (results[`${method} ${mode}`] ??= []).push(...(await runOnce(mode, method, round)));

console.log(`${MYSQL ? 'MariaDB' : 'SQLite'}, ${ROUNDS} rounds × ${PER} successes per subject, alternating; money checked after each run`);
for (const [name, s] of Object.entries(results)) {
  const one = s[s.length - 1]!;
  const mean = s.reduce((a, x) => a + x.ms, 0) / s.length;
  console.log(
    `${name.padEnd(18)} ${one.statements} statements (${one.selects} selects, ${one.writes} writes) in ${one.transactions} transactions; ` +
      `notify ${mean.toFixed(2)} ms mean, ${median(s.map((x) => x.ms)).toFixed(2)} ms p50 (n=${s.length})`,
  );
}
