// A fetch stub for component tests: routes `METHOD /api/path` to canned or computed answers and records every call.
import { vi } from 'vitest';

/** One request the page made. */
export interface RecordedCall {
  method: string;
  path: string;
  query: string;
  body: unknown;
  headers: Record<string, string>;
}

/** An answer: a status and a JSON body. */
export interface Reply {
  status?: number;
  body: unknown;
}

/** A route's answer: fixed, computed from the call, or a promise the test resolves later. */
export type Handler = Reply | ((call: RecordedCall) => Reply | Promise<Reply>);

/** The installed stub. */
export interface ApiMock {
  calls: RecordedCall[];
  /** Calls to one route (`'GET /api/orders/X'`). */
  callsTo: (route: string) => RecordedCall[];
  /** Replaces or adds a route's handler. */
  on: (route: string, handler: Handler) => void;
}

/** An error answer in the BFF's shape. */
export function errorReply(status: number, code: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { code, request_id: 'req-test', ...extra } };
}

/** A promise the test settles when it wants, to observe loading states. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Stubs the global fetch. Unknown routes answer 404 ZF0140, like the BFF. */
export function mockApi(routes: Record<string, Handler> = {}): ApiMock {
  const table = new Map(Object.entries(routes));
  const calls: RecordedCall[] = [];

  const fetchStub = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://localhost');
    // Lower-cased names, as HTTP treats them (happy-dom's Headers keeps the original case).
    const headers = Object.fromEntries([...new Headers(init.headers).entries()].map(([k, v]) => [k.toLowerCase(), v]));
    const call: RecordedCall = {
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.search,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers,
    };
    calls.push(call);
    const handler = table.get(`${call.method} ${call.path}`);
    const reply = handler === undefined ? errorReply(404, 'ZF0140') : typeof handler === 'function' ? await handler(call) : handler;
    return new Response(JSON.stringify(reply.body), { status: reply.status ?? 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);

  return {
    calls,
    callsTo: (route) => calls.filter((c) => `${c.method} ${c.path}` === route),
    on: (route, handler) => table.set(route, handler),
  };
}
