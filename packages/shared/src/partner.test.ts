import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { buildSignedLink, canonicalLinkString, signLinkParams, signWebhook, verifyLinkSignature, verifyWebhook, WebhookVerificationError } from './partner.ts';

describe('deep-link signature (SPEC §9)', () => {
  const params = { partner_id: 'demo', amout: '10.2', refer_no: 'R-1', claim_no: 'CLM-DEMO-001', callback: 'http://localhost:5180/callback?a=1&b=2', timestamp: '1795000000', order_no: '' };

  it('signs non-empty params except sign, sorted by name, raw values', () => {
    expect(canonicalLinkString({ ...params, sign: 'x' })).toBe('amout=10.2&callback=http://localhost:5180/callback?a=1&b=2&claim_no=CLM-DEMO-001&partner_id=demo&refer_no=R-1&timestamp=1795000000');
  });

  it('matches an independently computed HMAC-SHA256 (openssl dgst -sha256 -hmac)', () => {
    expect(signLinkParams(params, 'demo-link-secret')).toBe('4159673fce71a59eeebc754a0132c9766641130079cd256786a10ed2d1b2a63c');
  });

  it('round-trips through a URL and refuses any tampering', () => {
    const link = buildSignedLink('https://w.example/wallet/index.html', { partner_id: 'demo', amout: '10.2', refer_no: 'R-1', claim_no: 'C-1', callback: 'http://localhost/cb?x=中文&y=1' }, 'secret', 1795000000);
    const query = Object.fromEntries(new URLSearchParams(link.split('#/pages/valid-policy/valid-policy?')[1]));
    expect(verifyLinkSignature(query, 'secret')).toBe(true);
    expect(verifyLinkSignature({ ...query, amout: '1.02' }, 'secret')).toBe(false);
    expect(verifyLinkSignature({ ...query, extra: 'x' }, 'secret')).toBe(false);
    expect(verifyLinkSignature(query, 'other')).toBe(false);
    expect(verifyLinkSignature({ ...query, sign: 'zz' }, 'secret')).toBe(false);
  });
});

describe('callback signature (Standard Webhooks)', () => {
  const secret = 'whsec_ZGVtby1jYWxsYmFjay1zZWNyZXQ=';
  const body = JSON.stringify({ order_no: 'ZF1', res_code: 0 });

  it('is verified by the standardwebhooks library partners use', () => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'evt_1', ts, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verifies its own and refuses tampered bodies, other secrets and stale timestamps', () => {
    const ts = 1795000000;
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'evt_1', ts, body) };
    expect(verifyWebhook(secret, headers, body, ts)).toEqual({ order_no: 'ZF1', res_code: 0 });
    expect(() => verifyWebhook(secret, headers, body.replace('0', '1'), ts)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook('whsec_b3RoZXI=', headers, body, ts)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, headers, body, ts + 301)).toThrow(/tolerance/);
  });
});
