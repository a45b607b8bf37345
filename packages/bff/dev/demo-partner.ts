// The demo partner (a pharmacy) for `pnpm dev`: opens the wallet with freshly signed deep links and shows the
// callbacks it received, each verified the way a partner would (Standard Webhooks, via @zf/shared/partner).
import { buildSignedLink, verifyWebhook } from '@zf/shared/partner';
import { parsePositiveYuan } from '@zf/shared';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { DEMO } from '../src/modules/demo/demo.seed.ts';

export interface ReceivedDemoCallback {
  received_at: string;
  verified: boolean;
  error: string | null;
  headers: { id: string | null; timestamp: string | null; signature: string | null };
  body: Record<string, unknown> | string;
}

export interface DemoPartnerOptions {
  /** e.g. http://localhost:5173/wallet/index.html */
  walletUrl: string;
  /** This server's own public base, for the callback URL, e.g. http://localhost:5180 */
  selfUrl: string;
  now?: () => number;
}

/** A tiny partner app: `/` the page, `/open` a fresh signed link (redirect), `/callback` the receiver. */
export function createDemoPartner(opts: DemoPartnerOptions) {
  const now = opts.now ?? Date.now;
  const received: ReceivedDemoCallback[] = [];
  let counter = 0;

  const linkFor = (claimNo: string, amount: string, referNo?: string, orderNo?: string) =>
    buildSignedLink(
      opts.walletUrl,
      {
        partner_id: DEMO.partnerId,
        amout: amount,
        refer_no:
          referNo ||
          `RX-${new Date(now()).toISOString().slice(0, 10).replaceAll('-', '')}-${String(++counter).padStart(3, '0')}-${Math.floor(now() / 1000) % 100000}`,
        claim_no: claimNo,
        callback: `${opts.selfUrl}/callback`,
        ...(orderNo ? { order_no: orderNo } : {}),
      },
      DEMO.linkSecret,
      Math.floor(now() / 1000),
    );

  const app = new Hono()
    .get('/', (c) => c.html(page()))
    .get('/open', (c) => {
      const claim = c.req.query('claim_no') ?? DEMO.users.zhangsan.claimNo;
      const amount = c.req.query('amount') ?? '100.00';
      if (parsePositiveYuan(amount) === null) return c.text('金额格式不正确', 400);
      return c.redirect(linkFor(claim, amount, c.req.query('refer_no'), c.req.query('order_no')), 302);
    })
    .get('/link', (c) =>
      c.json({
        link: linkFor(c.req.query('claim_no') ?? DEMO.users.zhangsan.claimNo, c.req.query('amount') ?? '100.00', c.req.query('refer_no')),
      }),
    )
    .post('/callback', async (c) => {
      const body = await c.req.text();
      const entry: ReceivedDemoCallback = {
        received_at: new Date(now()).toISOString(),
        verified: false,
        error: null,
        headers: {
          id: c.req.header('webhook-id') ?? null,
          timestamp: c.req.header('webhook-timestamp') ?? null,
          signature: c.req.header('webhook-signature') ?? null,
        },
        body,
      };
      try {
        entry.body = verifyWebhook<Record<string, unknown>>(DEMO.callbackSecret, c.req.raw.headers, body, Math.floor(now() / 1000));
        entry.verified = true;
      } catch (err) {
        entry.error = err instanceof Error ? err.message : 'unverifiable';
      }
      received.unshift(entry);
      received.splice(200);
      return entry.verified ? c.text('ok', 200) : c.text('bad signature', 400);
    })
    .get('/callbacks', (c) => c.json({ callbacks: received }));

  return { app, received, linkFor };
}

function page() {
  const claims = Object.values(DEMO.users)
    .map((u) => `<option value="${u.claimNo}">${u.claimNo}（${u.name}）</option>`)
    .join('');
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>演示合作方 · 商保直付通</title>
        <style>
          body {
            font-family: -apple-system, 'PingFang SC', 'Noto Sans CJK SC', sans-serif;
            margin: 0;
            background: #f5f6f8;
            color: #222;
          }
          header {
            background: #1989fa;
            color: #fff;
            padding: 14px 16px;
            font-size: 17px;
          }
          main {
            padding: 12px;
            max-width: 720px;
            margin: 0 auto;
          }
          .card {
            background: #fff;
            border-radius: 8px;
            padding: 12px;
            margin-bottom: 12px;
          }
          label {
            display: block;
            font-size: 14px;
            margin: 8px 0 4px;
          }
          input,
          select {
            width: 100%;
            box-sizing: border-box;
            font-size: 16px;
            padding: 8px;
            border: 1px solid #ddd;
            border-radius: 6px;
          }
          button,
          .btn {
            display: block;
            width: 100%;
            margin-top: 12px;
            padding: 12px;
            font-size: 16px;
            color: #fff;
            background: #1989fa;
            border: 0;
            border-radius: 22px;
            text-align: center;
            text-decoration: none;
          }
          .cb {
            border-top: 1px solid #eee;
            padding: 8px 0;
            font-size: 13px;
            word-break: break-all;
          }
          .ok {
            color: #07c160;
          }
          .bad {
            color: #ee0a24;
          }
          .muted {
            color: #888;
          }
          code {
            background: #f2f3f5;
            padding: 1px 4px;
            border-radius: 3px;
          }
        </style>
      </head>
      <body>
        <header>演示合作方（药房）</header>
        <main>
          <div class="card">
            <form action="/open" method="get">
              <label>预理赔编号 claim_no</label>
              <select name="claim_no">
                ${raw(claims)}
              </select>
              <label>支付总额（元）</label>
              <input name="amount" value="100.00" inputmode="decimal" />
              <label>来源编号 refer_no（留空自动生成；填写已有编号可再次进入同一订单）</label>
              <input name="refer_no" placeholder="自动生成" />
              <button type="submit" id="open-wallet">打开钱包支付</button>
            </form>
          </div>
          <div class="card">
            <div><b>收到的回调</b> <span class="muted">（自动刷新，签名按 Standard Webhooks 校验）</span></div>
            <div id="callbacks" class="muted">暂无回调</div>
          </div>
        </main>
        <script>
          function esc(value) {
            return String(value === undefined || value === null ? '' : value).replace(/[&<>"']/g, function (ch) {
              return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
            });
          }
          async function refresh() {
            try {
              const res = await fetch('/callbacks');
              const { callbacks } = await res.json();
              const el = document.getElementById('callbacks');
              if (!callbacks.length) {
                el.textContent = '暂无回调';
                return;
              }
              // Every field comes from a callback body (anyone can POST one): escaped before it becomes HTML.
              el.innerHTML = callbacks
                .map(function (c) {
                  const b = typeof c.body === 'string' ? {} : c.body;
                  const v = c.verified ? '<span class="ok">签名有效</span>' : '<span class="bad">签名无效：' + esc(c.error) + '</span>';
                  return (
                    '<div class="cb" data-event="' +
                    esc(b.event || '') +
                    '"><b>' +
                    esc(b.event || '?') +
                    '</b> · res_code <code>' +
                    esc(b.res_code) +
                    '</code> · seq ' +
                    esc(b.seq) +
                    (b.final === true ? ' · final' : '') +
                    ' · ' +
                    v +
                    '<br/>订单 <code>' +
                    esc(b.order_no) +
                    '</code> · refer_no <code>' +
                    esc(b.refer_no) +
                    '</code> · 金额 ' +
                    esc(b.paid_amount) +
                    '<br/><span class="muted">' +
                    esc(c.received_at) +
                    ' · ' +
                    esc(b.res_info || '') +
                    ' · event_id ' +
                    esc(c.headers.id) +
                    '</span></div>'
                  );
                })
                .join('');
            } catch (e) {
              /* the next tick retries */
            }
          }
          refresh();
          setInterval(refresh, 2000);
        </script>
      </body>
    </html>`;
}

/** Serves the demo partner on a port (dev command), on loopback unless told otherwise. */
export async function startDemoPartner(opts: DemoPartnerOptions & { port: number; hostname?: string }) {
  const { serve } = await import('@hono/node-server');
  const partner = createDemoPartner(opts);
  const server = serve({ fetch: partner.app.fetch, port: opts.port, hostname: opts.hostname ?? '127.0.0.1' });
  return { ...partner, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
