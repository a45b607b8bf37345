// Issue 12, hole 7: the small holes — a multipart Guanaitong notify, callback ports, session token encodings, caching
// of private answers, the H5's Content-Security-Policy and the demo partner page.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { webhookHeaders } from '@zf/shared/partner';
import { expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { createDemoPartner } from '../../../dev/demo-partner.ts';
import { describeEachDatabase, snapshot } from '../../../testing/harness.ts';
import { DEMO } from '../demo/demo.seed.ts';
import { isCallbackAllowed, ownEndpoints } from './callback.service.ts';
import { signToken } from '../../lib/secrets.ts';

describeEachDatabase('hardening (hole 7)', (get) => {
  it('answers a multipart or malformed-multipart Guanaitong notify with 400 fail and changes nothing', async () => {
    const ctx = get();
    await ctx.newOrder();
    const before = await snapshot(ctx);
    const form = new FormData();
    form.append('appid', '30000003');
    form.append('outer_trade_no', '20110783X');
    form.append('file', new Blob(['x']), 'x.txt');
    const multipart = await ctx.app.request('/api/providers/guanaitong/notify', { method: 'POST', body: form });
    expect(multipart.status).toBe(400);
    expect(await multipart.text()).toBe('fail');
    const broken = await ctx.app.request('/api/providers/guanaitong/notify', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: '--zz\r\nnot a part',
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toBe('fail');
    const textOnly = new FormData();
    textOnly.append('appid', '30000003');
    const unsigned = await ctx.app.request('/api/providers/guanaitong/notify', { method: 'POST', body: textOnly });
    expect([400]).toContain(unsigned.status);
    expect(await snapshot(ctx)).toBe(before);
  });

  it('refuses a callback URL to our own port (ZF0030) even on an allow-listed host', async () => {
    const ctx = get();
    const own = new URL(ctx.deps.config.publicBaseUrl);
    for (const callback of [
      `http://127.0.0.1:${ctx.deps.config.port}/api/session`,
      `http://localhost:${own.port}/api/providers/payzero/notify`,
    ]) {
      const res = await ctx.call('POST', '/api/session', undefined, { params: ctx.linkParams({ callback }) });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ZF0030');
    }
  });

  it('refuses session tokens in a non-canonical encoding or without exp (ZF0020)', async () => {
    const ctx = get();
    const { token } = await ctx.enter();
    expect((await ctx.call('GET', '/api/entry', token)).status).toBe(200);
    const [body, mac] = token.split('.') as [string, string];
    const variants = [
      `${body}=.${mac}`, // padding
      `${body}.${mac}=`,
      `${body}.${mac.slice(0, -1)}${String.fromCharCode(mac.charCodeAt(mac.length - 1) ^ 1)}`, // other trailing bits (or a bad mac)
      `${body.replaceAll('-', '+').replaceAll('_', '/')}.${mac.replaceAll('-', '+').replaceAll('_', '/')}`,
      `${body} .${mac}`,
      `${body}.${mac}.x`,
    ].filter((v) => v !== token);
    for (const v of variants) expect((await ctx.call('GET', '/api/entry', v)).body.code).toBe('ZF0020');
    // A payload signed with the real secret but without an expiry: not a token we issue.
    const noExp = signToken(
      { p: 'demo', c: DEMO.users.zhangsan.claimNo, r: 'REF-001', u: DEMO.users.zhangsan.id, a: 10_000, cb: ctx.partner.url } as unknown as {
        exp: number;
      },
      ctx.deps.config.session.secret,
    );
    expect((await ctx.call('GET', '/api/entry', noExp)).body.code).toBe('ZF0020');
    const textExp = signToken(
      {
        p: 'demo',
        c: DEMO.users.zhangsan.claimNo,
        r: 'REF-001',
        u: DEMO.users.zhangsan.id,
        a: 10_000,
        cb: ctx.partner.url,
        exp: '9999999999999',
      } as unknown as { exp: number },
      ctx.deps.config.session.secret,
    );
    expect((await ctx.call('GET', '/api/entry', textExp)).body.code).toBe('ZF0020');
  });

  it('sends Cache-Control: no-store on API answers carrying tokens, orders and errors', async () => {
    const ctx = get();
    const session = await ctx.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: ctx.linkParams() }),
    });
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    const { token, orderNo } = await ctx.newOrder({ refer_no: 'REF-CACHE' });
    for (const path of ['/api/orders', `/api/orders/${orderNo}`, `/api/orders/${orderNo}/cashier`, '/api/orders/ZF0/cashier']) {
      const res = await ctx.app.request(path, { headers: { authorization: `Bearer ${token}` } });
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

it('allow-list entries consider the port: host = default port, host:port, host:*; our own endpoints never', () => {
  expect(isCallbackAllowed('https://p.example.com/cb', ['p.example.com'])).toBe(true);
  expect(isCallbackAllowed('https://p.example.com:443/cb', ['p.example.com'])).toBe(true);
  expect(isCallbackAllowed('https://p.example.com:8443/cb', ['p.example.com'])).toBe(false);
  expect(isCallbackAllowed('https://p.example.com:8443/cb', ['p.example.com:8443'])).toBe(true);
  expect(isCallbackAllowed('https://p.example.com:9443/cb', ['p.example.com:8443'])).toBe(false);
  expect(isCallbackAllowed('http://127.0.0.1:5180/cb', ['127.0.0.1:*'])).toBe(true);
  expect(isCallbackAllowed('http://evil.example.com/cb', ['127.0.0.1:*'])).toBe(false);
  const own = ownEndpoints({ publicBaseUrl: 'https://wallet.example.com', port: 8787, host: '0.0.0.0' });
  expect(isCallbackAllowed('https://wallet.example.com/api/x', ['wallet.example.com'], own)).toBe(false);
  expect(isCallbackAllowed('http://127.0.0.1:8787/api/x', ['127.0.0.1:*'], own)).toBe(false);
  expect(isCallbackAllowed('http://[::1]:8787/api/x', ['[::1]:*'], own)).toBe(false);
  expect(isCallbackAllowed('http://127.0.0.1:8788/api/x', ['127.0.0.1:*'], own)).toBe(true);
  expect(isCallbackAllowed('http://u:p@127.0.0.1:8788/', ['127.0.0.1:*'], own)).toBe(false);
});

it('serves the H5 with a Content-Security-Policy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zf-h5-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  const { testConfig } = await import('../../env.ts');
  const { createRuntime } = await import('../../bootstrap.ts');
  const runtime = await createRuntime(testConfig({ SERVE_H5_DIR: dir }));
  try {
    const res = await createApp(runtime.deps).request('/wallet/index.html');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  } finally {
    await runtime.close();
  }
});

it('the demo partner page shows callback fields as text, never as HTML', async () => {
  const partner = createDemoPartner({ walletUrl: 'http://localhost/wallet/index.html', selfUrl: 'http://127.0.0.1:5180' });
  const evil = '<img src=x onerror="window.pwned=1">';
  const body = JSON.stringify({
    event: `paid"><b id=x>`,
    res_code: 0,
    seq: 1,
    final: true,
    order_no: evil,
    refer_no: evil,
    paid_amount: '1.00',
    res_info: evil,
  });
  const headers = webhookHeaders(DEMO.callbackSecret, 'evt_1', Math.floor(Date.now() / 1000), body);
  expect(
    (await partner.app.request('/callback', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status,
  ).toBe(200);
  const html = await (await partner.app.request('/')).text();
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
  const el = { innerHTML: '', textContent: '' };
  const callbacks = await (await partner.app.request('/callbacks')).json();
  await new Promise<void>((resolve) => {
    runInNewContext(script, {
      document: { getElementById: () => el },
      fetch: async () => ({ json: async () => callbacks }),
      setInterval: () => 0,
    });
    setTimeout(resolve, 50);
  });
  expect(el.innerHTML).toContain('&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;');
  expect(el.innerHTML).not.toContain('<img');
  expect(el.innerHTML).not.toContain('<b id=x>');
});
