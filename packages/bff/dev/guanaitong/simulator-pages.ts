// The simulator's browser pages: the employee login (trusted-login stand-in) and the cashier. Plain HTML, no script.

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#222}
header{background:#e8380d;color:#fff;padding:14px 16px;font-size:17px}
main{padding:16px}.card{background:#fff;border-radius:10px;padding:16px;margin-bottom:12px}
.amount{font-size:32px;font-weight:600;text-align:center;margin:8px 0}.muted{color:#888;font-size:13px}
.row{display:flex;justify-content:space-between;padding:6px 0}.error{color:#e8380d;margin:8px 0}
input[type=text]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ddd;border-radius:6px;font-size:15px}
button{width:100%;padding:12px;border:0;border-radius:22px;font-size:16px;margin-top:12px;background:#e8380d;color:#fff}
button.secondary{background:#fff;color:#666;border:1px solid #ddd}
</style></head>
<body><header>关爱通</header><main>${body}</main></body></html>`;
}

/** An error page (bad link, unknown trade). */
export function errorPage(message: string): string {
  return layout('关爱通', `<div class="card"><p class="error">${escapeHtml(message)}</p></div>`);
}

/** The employee login page: any input is accepted (blank logs in the demo employee). */
export function loginPage(input: { appid: string; redirectUri: string; state: string }): string {
  return layout(
    '关爱通 - 员工登录',
    `<div class="card">
<p>第三方应用请求获取您的关爱通账户授权，用于积分/额度支付。</p>
<form method="post" action="/sso/login">
<input type="hidden" name="appid" value="${escapeHtml(input.appid)}">
<input type="hidden" name="redirect_uri" value="${escapeHtml(input.redirectUri)}">
<input type="hidden" name="state" value="${escapeHtml(input.state)}">
<label for="login">手机号 / 工号</label>
<input type="text" id="login" name="login" placeholder="模拟环境：任意输入均可登录" autocomplete="off">
<button type="submit">登录并授权</button>
</form>
<p class="muted">模拟环境，不会产生真实扣款。</p>
</div>`,
  );
}

/** What the cashier page shows. */
export interface CashierView {
  tradeNo: string;
  cashierToken: string;
  amount: string;
  reason: string;
  assetName: string;
  balance: string;
  status: 'created' | 'paid' | 'closed';
  error: string | null;
  /** For a paid or closed trade: the signed return link. */
  returnUrl: string | null;
}

/** The cashier step: amount, the asset paid from and its balance, 确认支付 / 取消. */
export function cashierPage(view: CashierView): string {
  const hidden = `<input type="hidden" name="trade_no" value="${escapeHtml(view.tradeNo)}">
<input type="hidden" name="t" value="${escapeHtml(view.cashierToken)}">`;
  const actions =
    view.status === 'created'
      ? `<form method="post" action="/cashier/confirm">${hidden}<button type="submit">确认支付</button></form>
<form method="post" action="/cashier/cancel">${hidden}<button type="submit" class="secondary">取消支付</button></form>`
      : `<p>${view.status === 'paid' ? '该订单已支付' : '该订单已关闭'}</p>` +
        (view.returnUrl ? `<a href="${escapeHtml(view.returnUrl)}"><button type="button">返回商家</button></a>` : '');
  return layout(
    '关爱通收银台',
    `<div class="card">
<div class="muted">${escapeHtml(view.reason)}</div>
<div class="amount">¥${escapeHtml(view.amount)}</div>
<div class="row"><span>支付方式</span><span>${escapeHtml(view.assetName)}</span></div>
<div class="row"><span>可用余额</span><span>${escapeHtml(view.balance)}</span></div>
<div class="row muted"><span>交易号</span><span>${escapeHtml(view.tradeNo)}</span></div>
${view.error ? `<p class="error">${escapeHtml(view.error)}</p>` : ''}
${actions}
</div>`,
  );
}
