// The load subjects: each a list of variants (bare Hono baseline, the BFF, the raw driver) measured alternately.
import type { Request as CannonRequest } from 'autocannon';
import { measure, type Controller, type Measured } from './cannon.ts';
import { linkParams, PIN, type BenchUser, type Ready } from './bff.ts';

export const CONNECTIONS = 50;

export interface Variant {
  name: string;
  /** Prepares the supply for a run of about `seconds` (orders, sessions), given the last measured rate. */
  prepare?(seconds: number, lastRps: number): Promise<void>;
  run(seconds: number): Promise<Measured>;
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

/** Requests that pull one item from `supply` each and stop the run when it is empty. */
export function fromSupply<T>(
  supply: T[],
  build: (item: T) => Partial<CannonRequest>,
  c: Controller,
  sentinel = '/healthz',
): CannonRequest {
  return {
    method: 'POST',
    setupRequest: (req, ctx) => {
      const item = supply.shift();
      (ctx as { sentinel?: boolean }).sentinel = item === undefined;
      if (item === undefined) {
        if (!c.exhausted) c.stop();
        return { ...req, method: 'GET', path: sentinel, body: undefined, headers: {} } as CannonRequest;
      }
      return { ...req, ...build(item) } as CannonRequest;
    },
  };
}

/** Bare Hono with the same method, path shape, headers and body as the subject. */
export function bareVariant(url: string, name: string, requests: CannonRequest[]): Variant {
  return { name, run: (seconds) => measure({ url, connections: CONNECTIONS, duration: seconds, requests }) };
}

export const payRequestShape = (orderNo = 'ZF20261122000000000001', token = 'x'.repeat(300)): CannonRequest => ({
  method: 'POST',
  path: `/api/orders/${orderNo}/pay/balance`,
  headers: bearer(token),
  body: JSON.stringify({ pin: PIN }),
});

/** Pays one fresh order per request from `supply` (refilled by `refill` before each run). */
export function payVariant(
  url: string,
  name: string,
  supply: Ready[],
  refill: (n: number) => Promise<void>,
  pathPrefix = '/api',
  minRate = 20,
): Variant {
  return {
    name,
    async prepare(seconds, lastRps) {
      const need = Math.ceil(Math.max(lastRps, minRate) * seconds * 1.5) + CONNECTIONS * 2;
      if (supply.length < need) await refill(need - supply.length);
    },
    async run(seconds) {
      const c: Controller = { stop: () => undefined, exhausted: false };
      const req = fromSupply(
        supply,
        (o) => ({
          method: 'POST',
          path: `${pathPrefix}/orders/${o.orderNo}/pay/balance`,
          headers: bearer(o.token),
          body: JSON.stringify({ pin: PIN }),
        }),
        c,
      );
      return measure({ url, connections: CONNECTIONS, duration: seconds, requests: [req], okStatus: (s) => s === 200 }, c).then((m) => m);
    },
  };
}

/** Creates one order per request, each under a fresh session; the created orders join `created`. */
export function createVariant(url: string, sessions: Ready[], refill: (n: number) => Promise<void>, created: Ready[]): Variant {
  return {
    name: 'BFF',
    async prepare(seconds, lastRps) {
      const need = Math.ceil(Math.max(lastRps, 300) * seconds * 1.5) + CONNECTIONS * 2;
      if (sessions.length < need) await refill(need - sessions.length);
    },
    async run(seconds) {
      const c: Controller = { stop: () => undefined, exhausted: false };
      type Ctx = { s?: Ready };
      const req: CannonRequest = {
        method: 'POST',
        setupRequest: (r, ctx) => {
          const s = sessions.shift();
          (ctx as Ctx).s = s;
          (ctx as { sentinel?: boolean }).sentinel = !s;
          if (!s) {
            if (!c.exhausted) c.stop();
            return { ...r, method: 'GET', path: '/healthz', body: undefined, headers: {} } as CannonRequest;
          }
          return {
            ...r,
            method: 'POST',
            path: '/api/orders',
            headers: bearer(s.token),
            body: JSON.stringify({ policy_no: s.user.policyNo }),
          } as CannonRequest;
        },
        onResponse: (status, body, ctx) => {
          const s = (ctx as Ctx).s;
          if (status === 201 && s) created.push({ ...s, orderNo: (JSON.parse(body) as { order: { order_no: string } }).order.order_no });
        },
      };
      return measure({ url, connections: CONNECTIONS, duration: seconds, requests: [req], okStatus: (st) => st === 201 }, c);
    },
  };
}

/** Reads the cashier of a fixed set of open orders, round robin. */
export function cashierVariant(url: string, orders: Ready[]): Variant {
  let i = 0;
  return {
    name: 'BFF',
    run: (seconds) =>
      measure({
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const o = orders[i++ % orders.length]!;
              return {
                ...req,
                method: 'GET',
                path: `/api/orders/${o.orderNo}/cashier`,
                headers: { authorization: `Bearer ${o.token}` },
              } as CannonRequest;
            },
          },
        ],
        okStatus: (s) => s === 200,
      }),
  };
}

/** The five requests of a partner journey, in order, on one connection: session → policies → quote → order → pay. */
export function journeyVariant(url: string, users: BenchUser[], callbackUrl: string): Variant {
  let u = 0;
  return {
    name: 'BFF',
    async run(seconds) {
      const latencies: number[] = [];
      let done = 0;
      type Ctx = { t0?: number; token?: string; policy?: string; order?: string };
      const requests: CannonRequest[] = [
        {
          method: 'POST',
          path: '/api/session',
          setupRequest: (req, ctx) => {
            const user = users[u++ % users.length]!;
            (ctx as Ctx).t0 = Date.now();
            (ctx as Ctx).policy = user.policyNo;
            return { ...req, headers: json, body: JSON.stringify({ params: linkParams(user, callbackUrl) }) } as CannonRequest;
          },
          onResponse: (status, body, ctx) => {
            if (status === 200) (ctx as Ctx).token = (JSON.parse(body) as { token: string }).token;
          },
        },
        {
          method: 'GET',
          path: '/api/policies',
          setupRequest: (req, ctx) =>
            (ctx as Ctx).token
              ? ({ ...req, headers: { authorization: `Bearer ${(ctx as Ctx).token}` } } as CannonRequest)
              : (null as unknown as CannonRequest),
        },
        {
          method: 'GET',
          setupRequest: (req, ctx) =>
            ({
              ...req,
              path: `/api/policies/${(ctx as Ctx).policy}/quote`,
              headers: { authorization: `Bearer ${(ctx as Ctx).token}` },
            }) as CannonRequest,
        },
        {
          method: 'POST',
          path: '/api/orders',
          setupRequest: (req, ctx) =>
            ({ ...req, headers: bearer((ctx as Ctx).token!), body: JSON.stringify({ policy_no: (ctx as Ctx).policy }) }) as CannonRequest,
          onResponse: (status, body, ctx) => {
            if (status === 201) (ctx as Ctx).order = (JSON.parse(body) as { order: { order_no: string } }).order.order_no;
          },
        },
        {
          method: 'POST',
          setupRequest: (req, ctx) =>
            (ctx as Ctx).order
              ? ({
                  ...req,
                  path: `/api/orders/${(ctx as Ctx).order}/pay/balance`,
                  headers: bearer((ctx as Ctx).token!),
                  body: JSON.stringify({ pin: PIN }),
                } as CannonRequest)
              : (null as unknown as CannonRequest),
          onResponse: (status, _body, ctx) => {
            if (status === 200 && (ctx as Ctx).t0) {
              done++;
              latencies.push(Date.now() - (ctx as Ctx).t0!);
            }
          },
        },
      ];
      return measure({ url, connections: CONNECTIONS, duration: seconds, requests, customLatencies: latencies, unitDone: () => done });
    },
  };
}

/** The same five request shapes against bare Hono (no dependency between them). */
export function bareJourney(url: string): Variant {
  let done = 0;
  const latencies: number[] = [];
  type Ctx = { t0?: number };
  const requests: CannonRequest[] = [
    {
      method: 'POST',
      path: '/api/session',
      headers: json,
      body: JSON.stringify({
        params: {
          partner_id: 'demo',
          amout: '1.00',
          refer_no: 'R',
          claim_no: 'C',
          callback: 'http://127.0.0.1/cb',
          timestamp: '1',
          sign: 'f'.repeat(64),
        },
      }),
      setupRequest: (r, ctx) => (((ctx as Ctx).t0 = Date.now()), r),
    },
    { method: 'GET', path: '/api/policies', headers: { authorization: 'Bearer x' } },
    { method: 'GET', path: '/api/policies/POL-BENCH-0001/quote', headers: { authorization: 'Bearer x' } },
    { method: 'POST', path: '/api/orders', headers: bearer('x'), body: JSON.stringify({ policy_no: 'POL-BENCH-0001' }) },
    {
      ...payRequestShape(),
      onResponse: (s, _b, ctx) => {
        done++;
        latencies.push(Date.now() - ((ctx as Ctx).t0 ?? Date.now()));
      },
    },
  ];
  return {
    name: 'bare Hono',
    async run(seconds) {
      done = 0;
      latencies.length = 0;
      return measure({ url, connections: CONNECTIONS, duration: seconds, requests, customLatencies: latencies, unitDone: () => done });
    },
  };
}
