// Pushes alerts to the admin group robot (WeCom / DingTalk markdown JSON) from the durable queue, with retries; safe
// with several instances (claimed by a conditional update with a lease). Nothing is sent while ADMIN_WEBHOOK_URL is unset.
import { formatYuan } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import { claimPush, duePushes, recordPush, type AlertPushRow } from './alert-push.repository.ts';

const LEASE_MS = 30_000;
/** Delays between attempts (ms); then `dead`. About 3 hours in all. */
export const PUSH_RETRY_MS = [5, 15, 60, 300, 900, 1800, 3600, 3600].map((s) => s * 1000);

/** The robot message of an alert: `{"msgtype":"markdown","markdown":{"content":…}}`. */
export function robotMessage(a: { kind: string; orderNo: string | null; amountFen: number | null; detail: string; at: number }): string {
  const time = new Date(a.at + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  const lines = [
    `### 商保直付通告警：${a.kind}`,
    a.orderNo ? `> 订单：${a.orderNo}` : null,
    a.amountFen !== null ? `> 金额：¥${formatYuan(a.amountFen)}` : null,
    `> 详情：${a.detail}`,
    `> 时间：${time}（北京时间）`,
  ];
  return JSON.stringify({ msgtype: 'markdown', markdown: { content: lines.filter(Boolean).join('\n') } });
}

export async function deliverAlertPushes(deps: Deps, limit = 20): Promise<{ delivered: number; failed: number }> {
  const url = deps.config.admin.webhookUrl;
  const report = { delivered: 0, failed: 0 };
  if (!url) return report;
  const now = deps.clock.now();
  for (const push of await duePushes(deps.db, now, limit)) {
    if (!(await claimPush(deps.db, push, now + LEASE_MS))) continue;
    if (await pushOne(deps, url, push)) report.delivered++;
    else report.failed++;
  }
  return report;
}

async function pushOne(deps: Deps, url: string, push: AlertPushRow): Promise<boolean> {
  let error: string | null = null;
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: push.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.config.callbackTimeoutMs),
    });
    const text = await res.text();
    // WeCom and DingTalk answer HTTP 200 with {"errcode":0,…} on success and a non-zero errcode otherwise.
    const errcode = (() => {
      try {
        return (JSON.parse(text) as { errcode?: number }).errcode;
      } catch {
        return undefined;
      }
    })();
    if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    else if (errcode !== undefined && errcode !== 0) error = `errcode ${errcode}`;
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : 'network error';
  }
  const attempts = Number(push.attempts) + 1;
  const at = deps.clock.now();
  if (error === null) {
    await recordPush(deps.db, push.id, attempts, { status: 'delivered', at });
    return true;
  }
  const delay = PUSH_RETRY_MS[attempts - 1];
  deps.logger.warn({ push: push.id, attempts, error }, 'alert push failed');
  await recordPush(
    deps.db,
    push.id,
    attempts,
    delay === undefined ? { status: 'dead', error } : { status: 'pending', error, nextAttemptAt: at + delay },
  );
  return false;
}
