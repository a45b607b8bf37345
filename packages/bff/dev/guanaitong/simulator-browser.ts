// The simulator's browser pages: the employee login (auth code redirect) and the cashier (confirm, cancel).
import { formatYuan } from '@zf/shared';
import type { Context, Hono } from 'hono';
import { GAT_PATHS } from '../../src/providers/guanaitong/protocol.ts';
import { cashierPage, errorPage, loginPage } from './simulator-pages.ts';
import type { SimState } from './simulator-state.ts';
import { DEMO_LOGIN, type App, type SimTrade } from './simulator-types.ts';

/** Registers the login and cashier pages on `app`. */
export function registerBrowserPages(app: Hono, { state, gatApp }: { state: SimState; gatApp: App }): void {
  const { trades, issueAuthCode, fundsOf, returnUrlFor, confirm, cancel } = state;

  /** The login page's parameters, or an error page. */
  function loginInput(source: Record<string, string>): { appid: string; redirectUri: string; state: string } | string {
    const appid = source.appid?.trim() ?? '';
    if (appid !== gatApp.appid) return '应用信息错误（appid 不存在）';
    const redirectUri = source.redirect_uri?.trim() ?? '';
    const url = URL.canParse(redirectUri) ? new URL(redirectUri) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || redirectUri.length > 2000) {
      return 'redirect_uri 不是合法的地址';
    }
    return { appid, redirectUri, state: source.state ?? '' };
  }

  app.get(GAT_PATHS.ssoLogin, (c) => {
    const input = loginInput(c.req.query());
    return typeof input === 'string' ? c.html(errorPage(input), 400) : c.html(loginPage(input));
  });

  app.post(GAT_PATHS.ssoLogin, async (c) => {
    const form = await formOf(c);
    const input = loginInput(form);
    if (typeof input === 'string') return c.html(errorPage(input), 400);
    const code = issueAuthCode(input.appid, form.login?.trim() || DEMO_LOGIN);
    const target = new URL(input.redirectUri);
    target.searchParams.set('auth_code', code);
    if (input.state !== '') target.searchParams.set('state', input.state);
    return c.redirect(target.toString(), 302);
  });

  async function formOf(c: Context): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [key, value] of await c.req.formData()) if (typeof value === 'string') out[key] = value;
    return out;
  }

  /** The trade a cashier request is for, when its cashier token matches. */
  function cashierTrade(source: Record<string, string>): SimTrade | null {
    const trade = trades.get(source.trade_no ?? '');
    return trade && trade.cashierToken === source.t ? trade : null;
  }

  function renderCashier(c: Context, trade: SimTrade, error: string | null) {
    const funds = fundsOf(trade);
    return c.html(
      cashierPage({
        tradeNo: trade.tradeNo,
        cashierToken: trade.cashierToken,
        amount: formatYuan(trade.amountFen),
        reason: trade.reason,
        assetName: funds.name,
        balance: formatYuan(funds.balanceFen),
        status: trade.status,
        error,
        returnUrl: trade.status === 'created' ? null : returnUrlFor(trade, trade.status === 'paid' ? 'success' : 'fail'),
      }),
    );
  }

  app.get('/cashier', (c) => {
    const trade = cashierTrade(c.req.query());
    return trade ? renderCashier(c, trade, null) : c.html(errorPage('交易不存在或链接已失效'), 404);
  });

  app.post('/cashier/confirm', async (c) => {
    const trade = cashierTrade(await formOf(c));
    if (!trade) return c.html(errorPage('交易不存在或链接已失效'), 404);
    const result = confirm(trade.tradeNo);
    if (result.ok) return c.redirect(result.returnUrl, 302);
    return renderCashier(c, trade, result.reason === 'insufficient_balance' ? '余额不足，请返回商家选择其他支付方式' : '交易已关闭');
  });

  app.post('/cashier/cancel', async (c) => {
    const trade = cashierTrade(await formOf(c));
    const target = trade ? cancel(trade.tradeNo) : null;
    return target ? c.redirect(target, 302) : c.html(errorPage('交易不存在或链接已失效'), 404);
  });
}
