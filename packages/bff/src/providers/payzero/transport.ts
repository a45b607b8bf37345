// One HTTP exchange with Payzero: the request (bearer token, JSON body, timeout) and the envelope unwrapped into
// typed data or a `PayzeroError`.
import { z } from 'zod';
import { PayzeroError } from './errors.ts';
import { envelopeSchema } from './protocol.ts';

export type Query = Readonly<Record<string, string | number>>;

/** Where and how long the client's requests go. */
export interface PayzeroTransport {
  baseUrl: string;
  fetchImpl: typeof fetch;
  timeoutMs: number;
}

/** Sends one request; a network failure or timeout is a retryable `PayzeroError`. */
export async function sendRequest(
  { baseUrl, fetchImpl, timeoutMs }: PayzeroTransport,
  method: 'GET' | 'POST',
  path: string,
  request: { query?: Query; body?: unknown },
  token: string | null,
): Promise<Response> {
  const url = new URL(baseUrl + path);
  for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetchImpl(url, {
      method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new PayzeroError({
      kind: timedOut ? 'timeout' : 'network',
      endpoint: path,
      retryable: true,
      message: timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${(err as Error).message}`,
      cause: err,
    });
  }
}

/** The envelope's `data` parsed by `schema`; any HTTP, envelope, business or shape problem is a `PayzeroError`. */
export async function unwrapEnvelope<S extends z.ZodType>(res: Response, path: string, schema: S): Promise<z.output<S>> {
  const text = await readBody(res);
  const envelope = envelopeSchema.safeParse(parseJsonOrUndefined(text));
  if (!res.ok) {
    const code = envelope.success ? envelope.data.errorCode : null;
    const msg = envelope.success ? (envelope.data.errorMsg ?? '') : text.slice(0, 200);
    throw new PayzeroError({
      kind: 'http',
      endpoint: path,
      httpStatus: res.status,
      errorCode: code,
      retryable: res.status >= 500 || res.status === 429,
      message: `HTTP ${res.status}${code ? ` ${code}` : ''}: ${msg}`,
    });
  }
  if (!envelope.success) {
    throw new PayzeroError({
      kind: 'malformed',
      endpoint: path,
      httpStatus: res.status,
      message: `not a Payzero envelope: ${text.slice(0, 200)}`,
    });
  }
  const { success, errorCode, errorMsg, data } = envelope.data;
  if (!success) {
    throw new PayzeroError({
      kind: 'business',
      endpoint: path,
      httpStatus: res.status,
      errorCode,
      message: `${errorCode ?? 'no code'}: ${errorMsg ?? ''}`,
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new PayzeroError({
      kind: 'malformed',
      endpoint: path,
      httpStatus: res.status,
      message: `unexpected data: ${z.prettifyError(parsed.error)}`,
    });
  }
  return parsed.data;
}

export async function readBody(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    return `<unreadable body: ${(err as Error).message}>`;
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Reported by the caller as a malformed answer, with the raw text.
    return undefined;
  }
}
