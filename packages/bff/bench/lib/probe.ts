// What one request costs in SQL: the BFF in-process on SQLite, every statement Kysely runs counted
// (Kysely's query log hook, `begin`/`commit` included), for one balance payment, one order creation, one cashier.
import { buildSignedLink } from '@zf/shared/partner';
import { createApp } from '../../src/app.ts';
import { createRuntime } from '../../src/bootstrap.ts';
import { testConfig } from '../../src/env.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { DEMO } from '../../src/modules/demo/demo.seed.ts';

export interface SqlCount {
  statements: number;
  transactions: number;
  selects: number;
  writes: number;
  orderRowReads: number;
  byTable: Record<string, number>;
  /** The statements themselves, in order (bench/sql-probe.ts prints them with --list). */
  list: string[];
  /** Each statement's parameters (bench/sql-probe.ts --explain runs the plans with them). */
  params: unknown[][];
}

export async function probeStatements(config: Record<string, string> = {}): Promise<Record<'pay' | 'create' | 'cashier', SqlCount>> {
  // Every statement Kysely runs on our connection, `begin`/`commit` included (its query log hook; the SQLite
  // connection keeps prepared statements, so counting prepares would miss the repeats).
  const seen: string[] = [];
  const seenParams: unknown[][] = [];
  {
    const runtime = await createRuntime(testConfig({ DATABASE_URL: 'sqlite::memory:', SEED_DEMO: 'true', ...config }), {
      logger: createLogger('silent'),
      log: (e) => {
        if (e.level === 'query') {
          seen.push(e.query.sql);
          seenParams.push([...e.query.parameters]);
        }
      },
    });
    const app = createApp(runtime.deps);
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const link = buildSignedLink(
      'http://127.0.0.1/wallet/index.html',
      {
        partner_id: DEMO.partnerId,
        amout: '1.00',
        refer_no: 'PROBE-1',
        claim_no: DEMO.users.zhangsan.claimNo,
        callback: 'http://127.0.0.1:9/cb',
      },
      DEMO.linkSecret,
    );
    const session = await call('POST', '/api/session', undefined, { params: Object.fromEntries(new URLSearchParams(link.split('?')[1])) });
    const token = session.token as string;
    const count = async (fn: () => Promise<unknown>): Promise<SqlCount> => {
      seen.length = 0;
      seenParams.length = 0;
      await fn();
      const byTable: Record<string, number> = {};
      let transactions = 0;
      let selects = 0;
      let writes = 0;
      let orderRowReads = 0;
      for (const s of seen) {
        const t = /^\s*(\w+)/.exec(s)?.[1]?.toLowerCase() ?? '';
        if (t === 'begin') transactions++;
        if (t === 'select') selects++;
        if (t === 'insert' || t === 'update' || t === 'delete') writes++;
        if (/^select .* from "orders" where "order_no" = \?/i.test(s)) orderRowReads++;
        const table = /(?:from|into|update)\s+"?(\w+)"?/i.exec(s)?.[1];
        if (table) byTable[table] = (byTable[table] ?? 0) + 1;
      }
      return { statements: seen.length, transactions, selects, writes, orderRowReads, byTable, list: [...seen], params: [...seenParams] };
    };
    let orderNo = '';
    const create = await count(async () => {
      orderNo = ((await call('POST', '/api/orders', token, { policy_no: 'POL-PICC-001' })).order as { order_no: string }).order_no;
    });
    const cashier = await count(() => call('GET', `/api/orders/${orderNo}/cashier`, token));
    const pay = await count(async () => {
      const r = await call('POST', `/api/orders/${orderNo}/pay/balance`, token, { pin: DEMO.pin });
      if (!r.order) throw new Error(`probe payment failed: ${JSON.stringify(r)}`);
    });
    await runtime.close();
    return { pay, create, cashier };
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idlePct: number;
  top: Array<{ name: string; selfPct: number }>;
  groups: Array<{ name: string; selfPct: number }>;
  inclusive: Array<{ name: string; pct: number }>;
}

/** Self time per function and per area, and inclusive time of the pay path's own functions, from a .cpuprofile. */
export function summarizeProfile(
  profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] },
  bffDir: string,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const label = (n: ProfileNode) => {
    const u = n.callFrame.url.replace(/^file:\/\//, '');
    const short = u.includes('node_modules/.pnpm/')
      ? (u.split('node_modules/.pnpm/')[1]!.split('/node_modules/')[1] ?? u)
      : u.replace(bffDir, '');
    return `${n.callFrame.functionName || '(anonymous)'} ${short ? `${short}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  };
  const area = (n: ProfileNode) => {
    const u = n.callFrame.url;
    const f = n.callFrame.functionName;
    if (f === '(idle)') return 'idle (waiting: libuv pool / I/O)';
    if (f === '(garbage collector)') return 'garbage collector';
    if (f === '(program)') return 'V8/native (program)';
    if (!u) return `native: ${f}`;
    const m = /node_modules\/\.pnpm\/([^/]+)\//.exec(u);
    if (m) return `package ${m[1]!.replace(/@[\d.]+(_.*)?$/, '')}`;
    if (u.startsWith('node:')) return `node core ${u.split('/')[0]}`;
    if (u.includes('/packages/shared/')) return 'our code: @zf/shared';
    if (u.includes('/packages/bff/src/'))
      return `our code: ${u.split('/packages/bff/src/')[1]!.split('/').slice(0, -1).join('/') || 'src'}`;
    return u;
  };
  const agg = (key: (n: ProfileNode) => string) => {
    const m = new Map<string, number>();
    for (const [id, t] of self) {
      const k = key(byId.get(id)!);
      m.set(k, (m.get(k) ?? 0) + t);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, selfPct: (100 * t) / total }));
  };
  const idle = agg((n) => n.callFrame.functionName).find((x) => x.name === '(idle)')?.selfPct ?? 0;
  // Inclusive time of named functions: a sample counts once for each distinct name on its stack.
  const wanted = [
    'payWithBalance',
    'checkPin',
    'verifySecret',
    'settleOrder',
    'runStep',
    'applySuccess',
    'transfer',
    'inTransaction',
    'findOrder',
    'orderForSession',
    'enqueueCallback',
    'remaining',
    'compileQuery',
    'executeQuery',
    'parseJson',
    'serialize',
    'validate',
  ];
  const incl = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const names = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame.functionName;
      if (wanted.includes(f)) names.add(f);
    }
    for (const n of names) incl.set(n, (incl.get(n) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return {
    totalMs: total / 1000,
    idlePct: idle,
    top: agg(label)
      .filter((x) => !x.name.startsWith('(idle)'))
      .slice(0, 15),
    groups: agg(area).slice(0, 14),
    inclusive: [...incl.entries()].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, pct: (100 * t) / total })),
  };
}
