// The notify_url endpoint's protocol part: read the form, verify it, answer exactly `success` or `fail`.
// What a verified notify means for the order (amount check, settlement) is the caller's `onNotify`.
import type { Context } from 'hono';
import { GuanaitongVerifyError, type GuanaitongNotify, type ReceivedParams } from './notify.ts';
import { NOTIFY_ACK, NOTIFY_NACK } from './protocol.ts';

/** What the notify endpoint needs. */
export interface GuanaitongNotifyHandlerDeps {
  /** Usually `client.verifyNotify` (bound): signature, appid, ±5 min timestamp. */
  verify(form: ReceivedParams): GuanaitongNotify;
  /**
   * Applies a verified notify, idempotently on `outerTradeNo` / `tradeNo` (it is resent until acknowledged, and may
   * be replayed): `success` once the payment is recorded (also for a repeat), `fail` when it must not be
   * (e.g. `totalFen` differs from the attempt's amount). Throwing answers 500, so Guanaitong resends later.
   */
  onNotify(notify: GuanaitongNotify): Promise<'success' | 'fail'>;
  /** Told about refused notifies (no secrets in them: the reason and the identifiers). */
  onRefused?(info: { reason: string; outerTradeNo: string | null }): void;
}

/**
 * The notify's fields: Guanaitong posts `application/x-www-form-urlencoded`; a multipart body is read too, but only
 * its text fields. null for a body that cannot be read (a malformed multipart, a file field) — answered 400 `fail`.
 */
async function readForm(c: Context): Promise<URLSearchParams | null> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (!/multipart\/form-data/i.test(type)) return new URLSearchParams(await c.req.text());
    const data = await c.req.formData();
    const form = new URLSearchParams();
    for (const [key, value] of data.entries()) {
      if (typeof value !== 'string') return null;
      form.append(key, value);
    }
    return form;
  } catch {
    return null;
  }
}

/**
 * A Hono handler for notify_url: a refused notify (bad signature, stale timestamp, malformed) is answered `fail`
 * with HTTP 400 and changes nothing; a verified one is handed to `onNotify`, whose answer is sent as the exact body.
 */
export function guanaitongNotifyHandler(deps: GuanaitongNotifyHandlerDeps) {
  return async function guanaitongNotify(c: Context): Promise<Response> {
    const form = await readForm(c);
    if (!form) {
      deps.onRefused?.({ reason: 'malformed body', outerTradeNo: null });
      return c.text(NOTIFY_NACK, 400);
    }
    let notify: GuanaitongNotify;
    try {
      notify = deps.verify(form);
    } catch (err) {
      if (!(err instanceof GuanaitongVerifyError)) throw err;
      const outer = form.get('outer_trade_no');
      deps.onRefused?.({ reason: err.reason, outerTradeNo: typeof outer === 'string' ? outer : null });
      return c.text(NOTIFY_NACK, 400);
    }
    const answer = await deps.onNotify(notify);
    return c.text(answer === 'success' ? NOTIFY_ACK : NOTIFY_NACK, 200);
  };
}
