// Receiving Payzero's signed status notifies (§3): verify the SHA1 signature, parse the order result, answer "OK".
import { Hono } from 'hono';
import { z } from 'zod';
import { NOTIFY_ACK, NOTIFY_NACK, PAY_STATUS_NOTIFY, orderResultSchema, type PayzeroOrderResult } from './protocol.ts';
import { verifyPayzeroNotifySign } from './sign.ts';
import type { PayzeroLogger } from './logger.ts';

/** Where this BFF mounts the notify route; every order's `notifyUrl` is `${publicBaseUrl}${PAYZERO_NOTIFY_PATH}`. */
export const PAYZERO_NOTIFY_PATH = '/api/providers/payzero/notify';

/** A verified `PAY_STATUS_NOTIFY`: the order's new status and payment facts. */
export interface PayStatusNotify {
  msgType: typeof PAY_STATUS_NOTIFY;
  /** The notify's own timestamp (ms since epoch, as text), part of the signature. */
  timestamp: string;
  mchtOrderNo: string;
  payStatus: string;
  paymentOrderNo: string | null;
  paymentAmount: number | null;
  /** yyyyMMddHHmmss, China time. */
  paymentDatetime: string | null;
  /** The whole `orderResultDto` of the message body. */
  order: PayzeroOrderResult;
}

/** Why a notify was refused. */
export type PayzeroNotifyRejection = 'malformed' | 'bad_signature' | 'unsupported_type';

/** A notify that must not be acted on. */
export class PayzeroNotifyError extends Error {
  constructor(
    readonly rejection: PayzeroNotifyRejection,
    message: string,
  ) {
    super(message);
    this.name = 'PayzeroNotifyError';
  }
}

// `timestamp` is a String in the SDK's NotificationWrapper but a bare number in the doc's table example: accept both,
// signing the digits as sent.
const notifyBodySchema = z.object({
  timestamp: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  msgType: z.string().min(1),
  msgBody: z.string().min(1),
  sign: z.string().min(1),
});

/**
 * Verifies any Payzero notify (pay or declare status) and parses its body. Throws `PayzeroNotifyError`.
 * No timestamp window: the doc defines none, and resends arrive up to 6 h after the first send; a replay is harmless
 * because the content is signed and our handling is idempotent.
 */
export function verifyPayzeroNotify(body: unknown, signToken: string): { msgType: string; timestamp: string; order: PayzeroOrderResult } {
  const parsed = notifyBodySchema.safeParse(body);
  if (!parsed.success) throw new PayzeroNotifyError('malformed', `notify envelope: ${z.prettifyError(parsed.error)}`);
  const { timestamp, msgType, msgBody, sign } = parsed.data;
  if (!verifyPayzeroNotifySign(signToken, timestamp, msgBody, sign)) {
    throw new PayzeroNotifyError('bad_signature', 'notify signature does not match');
  }
  let json: unknown;
  try {
    json = JSON.parse(msgBody) as unknown;
  } catch (err) {
    throw new PayzeroNotifyError('malformed', `msgBody is not JSON: ${(err as Error).message}`);
  }
  const order = orderResultSchema.safeParse(json);
  if (!order.success) throw new PayzeroNotifyError('malformed', `msgBody: ${z.prettifyError(order.error)}`);
  return { msgType, timestamp, order: order.data };
}

/** Verifies a `PAY_STATUS_NOTIFY` and returns its order facts; throws `PayzeroNotifyError` for anything else. */
export function verifyPayStatusNotify(body: unknown, signToken: string): PayStatusNotify {
  const { msgType, timestamp, order } = verifyPayzeroNotify(body, signToken);
  if (msgType !== PAY_STATUS_NOTIFY) throw new PayzeroNotifyError('unsupported_type', `msgType ${msgType}`);
  return {
    msgType: PAY_STATUS_NOTIFY,
    timestamp,
    mchtOrderNo: order.mchtOrderNo,
    payStatus: order.payStatus,
    paymentOrderNo: order.paymentOrderNo,
    paymentAmount: order.paymentAmount,
    paymentDatetime: order.paymentDatetime,
    order,
  };
}

/** Options of the notify route. */
export interface PayzeroNotifyRouteOptions {
  /** The signToken configured in Payzero's merchant console (§3.1). */
  signToken: string;
  /**
   * Records the result (must be idempotent: Payzero resends until it reads "OK", and a poll may have got there
   * first). Keep it short: Payzero waits 5 s. Throwing makes the route answer 500 so Payzero resends.
   */
  onPayStatus: (notify: PayStatusNotify) => Promise<void>;
  logger?: PayzeroLogger;
}

/**
 * A Hono sub-app answering `POST /` for Payzero notifies; mount it where the configured notify URL points, e.g.
 * `app.route('/providers/payzero/notify', createPayzeroNotifyRoute({...}))`.
 * Answers text `OK` once the handler has recorded the status (also for duplicates), `OK` without calling it for other
 * signed message types (`DECLARE_STATUS_NOTIFY`: customs declarations do not concern us), 400 `FAIL` for a bad
 * signature or body, and 500 `FAIL` when the handler throws.
 */
export function createPayzeroNotifyRoute(options: PayzeroNotifyRouteOptions): Hono {
  const { signToken, onPayStatus, logger } = options;
  return new Hono().post('/', async (c) => {
    const raw = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch (err) {
      logger?.warn({ err: (err as Error).message, length: raw.length }, 'payzero notify: body is not JSON');
      return c.text(NOTIFY_NACK, 400);
    }
    let notify: PayStatusNotify;
    try {
      notify = verifyPayStatusNotify(body, signToken);
    } catch (err) {
      if (!(err instanceof PayzeroNotifyError)) throw err;
      if (err.rejection === 'unsupported_type') {
        // Signed and genuine, just not a pay status (e.g. DECLARE_STATUS_NOTIFY): acknowledge so it is not resent.
        logger?.info({ detail: err.message }, 'payzero notify: non-payment message acknowledged');
        return c.text(NOTIFY_ACK);
      }
      logger?.warn({ rejection: err.rejection, detail: err.message }, 'payzero notify refused');
      return c.text(NOTIFY_NACK, 400);
    }
    try {
      await onPayStatus(notify);
    } catch (err) {
      logger?.error(
        { err, mchtOrderNo: notify.mchtOrderNo, payStatus: notify.payStatus },
        'payzero notify handler failed; Payzero will resend',
      );
      return c.text(NOTIFY_NACK, 500);
    }
    return c.text(NOTIFY_ACK);
  });
}
