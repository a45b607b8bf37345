// Callback handling from the console: replay one event (same event_id, fresh retry schedule), replay every dead event
// of a partner, and send a signed test callback of any event type (marked `test: true`, never about a real order).
import { CALLBACK_EVENTS, type CallbackEvent, type CallbackPayload } from '@zf/shared';
import { webhookHeaders } from '@zf/shared/partner';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import { newId } from '../../lib/ids.ts';
import { deadEventsOfPartner, findEvent } from '../callback/callback-admin.repository.ts';
import { requeueEvent } from '../callback/callback.repository.ts';
import { isCallbackAllowed } from '../callback/callback.service.ts';
import { callbackSecrets } from '../session/partner-secrets.ts';
import { findPartner } from '../session/session.repository.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { auditedMutation } from './audit.ts';

export async function replayEvent(deps: Deps, actor: AdminActor, eventId: string) {
  const event = await findEvent(deps.db, eventId);
  if (!event) return fail('ZF0263', 'event');
  const done = await auditedMutation(deps, actor, 'callback.replay', `event:${event.id}`, async (trx) => {
    if (!(await requeueEvent(trx, event.id, deps.clock.now()))) return null;
    return {
      before: { status: event.status, attempts: Number(event.attempts) },
      after: { status: 'pending', attempts: 0 },
      result: { event_id: event.id, status: 'pending' },
    };
  });
  return done ?? fail('ZF0265', 'event still queued');
}

export async function replayDeadOfPartner(deps: Deps, actor: AdminActor, partnerId: string) {
  if (!(await findPartner(deps.db, partnerId))) return fail('ZF0263', 'partner');
  const dead = await deadEventsOfPartner(deps.db, partnerId);
  const done = await auditedMutation(deps, actor, 'callback.replay_dead', `partner:${partnerId}`, async (trx) => {
    const replayed: string[] = [];
    for (const e of dead) if (await requeueEvent(trx, e.id, deps.clock.now())) replayed.push(e.id);
    if (replayed.length === 0) return null;
    return { before: { dead: replayed }, after: { status: 'pending' }, result: { replayed: replayed.length, event_ids: replayed } };
  });
  return done ?? { replayed: 0, event_ids: [] };
}

const TEST_CODES: Record<CallbackEvent, { code: CallbackPayload['res_code']; info: string }> = {
  order_created: { code: 'ZF0230', info: '订单已创建，等待支付（测试）' },
  paid: { code: 0, info: '支付成功（测试）' },
  failed: { code: 'ZF0090', info: '支付失败（测试）' },
  timeout: { code: 'ZF0100', info: '支付结果确认中（测试）' },
  closed: { code: 'ZF0070', info: '订单已关闭（测试）' },
  refunded: { code: 'ZF0232', info: '退款成功（测试）' },
};

/** Sends one signed test callback to `url` (on the partner's allow-list) now and reports what the partner answered. */
export async function sendTestCallback(deps: Deps, actor: AdminActor, partnerId: string, event: CallbackEvent, url: string) {
  const partner = await findPartner(deps.db, partnerId);
  if (!partner) return fail('ZF0263', 'partner');
  if (!CALLBACK_EVENTS.includes(event)) return fail('ZF0010', 'event');
  if (!isCallbackAllowed(url, JSON.parse(partner.callback_hosts) as string[])) return fail('ZF0030');
  const now = deps.clock.now();
  const eventId = newId('evt_test_', now, deps.random);
  const payload: CallbackPayload = {
    order_no: 'TEST',
    refer_no: 'TEST',
    res_code: TEST_CODES[event].code,
    res_info: TEST_CODES[event].info,
    event,
    event_id: eventId,
    seq: 0,
    final: event === 'paid' || event === 'closed' || event === 'refunded',
    paid_amount: '0.00',
    insurer_amount: '0.00',
    self_pay_amount: '0.00',
    method: null,
    created_at: new Date(now).toISOString(),
    test: true,
  };
  const body = JSON.stringify(payload);
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  let excerpt = '';
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'zhifu-wallet-callbacks/1',
        ...webhookHeaders(callbackSecrets(partner, now), eventId, Math.floor(now / 1000), body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.config.callbackTimeoutMs),
    });
    status = res.status;
    excerpt = (await res.text()).slice(0, 200);
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'network error';
  }
  const outcome = {
    event_id: eventId,
    event,
    url,
    status_code: status,
    error,
    duration_ms: Date.now() - started,
    response_excerpt: excerpt,
    delivered: status !== null && status >= 200 && status < 300,
  };
  await auditedMutation(deps, actor, 'callback.test', `partner:${partnerId}`, async () => ({ before: null, after: outcome, result: null }));
  return outcome;
}
