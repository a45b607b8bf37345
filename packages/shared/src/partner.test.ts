import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  buildSignedLink,
  canonicalLinkString,
  signLinkParams,
  signPartnerRequest,
  signWebhook,
  verifyLinkSignature,
  verifyPartnerRequest,
  verifyWebhook,
  WebhookVerificationError,
} from './partner.ts';

describe('deep-link signature (SPEC §9)', () => {
  const params = {
    partner_id: 'demo',
    amout: '10.2',
    refer_no: 'R-1',
    claim_no: 'CLM-DEMO-001',
    callback: 'http://localhost:5180/callback?a=1&b=2',
    timestamp: '1795000000',
    order_no: '',
  };

  it('signs non-empty params except sign, sorted by name, raw values', () => {
    expect(canonicalLinkString({ ...params, sign: 'x' })).toBe(
      'amout=10.2&callback=http://localhost:5180/callback?a=1&b=2&claim_no=CLM-DEMO-001&partner_id=demo&refer_no=R-1&timestamp=1795000000',
    );
  });

  it('matches an independently computed HMAC-SHA256 (openssl dgst -sha256 -hmac)', () => {
    expect(signLinkParams(params, 'demo-link-secret')).toBe('4159673fce71a59eeebc754a0132c9766641130079cd256786a10ed2d1b2a63c');
  });

  it('round-trips through a URL and refuses any tampering', () => {
    const link = buildSignedLink(
      'https://w.example/wallet/index.html',
      { partner_id: 'demo', amout: '10.2', refer_no: 'R-1', claim_no: 'C-1', callback: 'http://localhost/cb?x=中文&y=1' },
      'secret',
      1795000000,
    );
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

describe('the documented partner examples (README, docs/partner-guide.zh-CN.md)', () => {
  it('the full example link verifies with the demo link secret', () => {
    const link =
      'https://wallet.example.com/wallet/index.html#/pages/valid-policy/valid-policy?timestamp=1796140800&partner_id=demo&amout=100.00&refer_no=RX-20261202-0001&claim_no=CLM-DEMO-001&callback=http%3A%2F%2Flocalhost%3A5174%2Fcallback&sign=a34f262e93722690cc0e81ab2428c4e8610429ca8006025b302060cd2191ba98';
    const params = Object.fromEntries(new URLSearchParams(link.split('?')[1]));
    expect(canonicalLinkString(params)).toBe(
      'amout=100.00&callback=http://localhost:5174/callback&claim_no=CLM-DEMO-001&partner_id=demo&refer_no=RX-20261202-0001&timestamp=1796140800',
    );
    expect(verifyLinkSignature(params, 'demo-link-secret')).toBe(true);
    expect(verifyLinkSignature({ ...params, amout: '10.00' }, 'demo-link-secret')).toBe(false);
  });

  it('the example server API signature matches, and any change to the request breaks it', () => {
    const parts = {
      method: 'GET',
      path: '/api/partner/v1/orders?refer_no=RX-20261202-0001',
      timestamp: 1796140800,
      nonce: '7f3c1b2a9d8e4f6a0b1c2d3e4f5a6b7c',
      body: '',
    };
    const sig = '54e53d4711ae53dc522b03e864acbbf2e1426edaf341728ddef2749c3d2d1d16';
    expect(signPartnerRequest(parts, 'demo-api-secret')).toBe(sig);
    expect(verifyPartnerRequest(parts, 'demo-api-secret', sig)).toBe(true);
    expect(verifyPartnerRequest({ ...parts, path: '/api/partner/v1/orders?refer_no=RX-2' }, 'demo-api-secret', sig)).toBe(false);
    expect(verifyPartnerRequest({ ...parts, nonce: 'x'.repeat(32) }, 'demo-api-secret', sig)).toBe(false);
  });
});
