// The one error path and the shared middleware: request ids, errors → `{code}`, not found.
import { ERROR_CATALOGUE, type ErrorBody } from '@zf/shared';
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../deps.ts';
import type { Session } from './session-token.ts';
import { DomainError } from './errors.ts';

export interface AppEnv {
  Variables: { requestId: string; session: Session };
}

let counter = 0;
/** Adds `x-request-id` (kept from the caller when sane) so logs and error bodies can be matched. */
export const requestId = (): MiddlewareHandler<AppEnv> =>
  async function requestIdMiddleware(c, next) {
    const given = c.req.header('x-request-id');
    const id = given && /^[\w-]{1,64}$/.test(given) ? given : `${Date.now().toString(36)}-${(counter++).toString(36)}`;
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  };

export function errorJson(c: Context, body: ErrorBody) {
  return c.json(body, ERROR_CATALOGUE[body.code].status as ContentfulStatusCode);
}

/** Turns every thrown error into `{code}`: domain errors keep theirs, bad requests are ZF0010, the rest ZF0130. */
export const onError = (deps: Deps): ErrorHandler<AppEnv> =>
  function handleError(err, c) {
    const request_id = c.get('requestId');
    if (err instanceof DomainError) {
      if (err.code === 'ZF0130') deps.logger.error({ err, request_id }, 'internal failure');
      else deps.logger.info({ code: err.code, detail: err.detail, request_id, path: c.req.path }, 'request refused');
      return errorJson(c, { code: err.code, ...err.extra, request_id });
    }
    if (err instanceof HTTPException && err.status < 500) {
      return errorJson(c, { code: err.status === 404 ? 'ZF0140' : err.status === 429 ? 'ZF0120' : 'ZF0010', request_id });
    }
    if (isDatabaseUnreachable(err)) {
      // The transaction (if any) rolled back or never began; the client may retry (issue 12: database outage).
      deps.logger.error({ err, request_id, path: c.req.path }, 'database unreachable');
      c.header('Retry-After', '5');
      return errorJson(c, { code: 'ZF0181', request_id });
    }
    deps.logger.error({ err, request_id, path: c.req.path }, 'unhandled error');
    return errorJson(c, { code: 'ZF0130', request_id });
  };

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
]);

/** A MySQL/MariaDB connection that failed or went away (mysql2 error codes; 1053 server shutdown, 1927 killed). */
function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; fatal?: boolean } | null;
  return !!e && (UNREACHABLE_CODES.has(e.code ?? '') || e.errno === 1053 || e.errno === 1927 || (e.fatal === true && !!e.code));
}

export const notFound: NotFoundHandler<AppEnv> = (c) => errorJson(c, { code: 'ZF0140', request_id: c.get('requestId') });
