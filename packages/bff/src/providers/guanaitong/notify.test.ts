import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.ts';
import { GuanaitongVerifyError, verifyNotify, verifyReturnParams } from './notify.ts';
import { unixSeconds } from './protocol.ts';
import { signParams } from './sign.ts';

const SECRET = 'f4cc82386a1cdddcc98e4f53b1115a62';
const clock = new ManualClock();
const opts = { appsecret: SECRET, clock, appid: '10000001' };

function signed(fields: Record<string, string>): Record<string, string> {
  return { ...fields, sign: signParams(fields, SECRET) };
}

const notifyFields = () => ({
  appid: '10000001',
  outer_trade_no: '100000010000000001',
  total_amount: '100.00',
  buyer_open_id: 'd87797eea12a2f80ad72ed93214a0908',
  trade_no: '2018070920000005',
  timestamp: String(unixSeconds(clock.now())),
});

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GuanaitongVerifyError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('guanaitong notify and return verification', () => {
  it('accepts a signed notify (form of seed 001) and parses the amount exactly', () => {
    const n = verifyNotify(new URLSearchParams(signed(notifyFields())), opts);
    expect(n).toMatchObject({ tradeNo: '2018070920000005', totalFen: 10_000, attach: null });
    expect(verifyNotify(signed({ ...notifyFields(), total_amount: '10.2', attach: 'a=1' }), opts)).toMatchObject({
      totalFen: 1020,
      attach: 'a=1',
    });
  });

  it('refuses tampering, a wrong secret, stale and future timestamps, another appid, and malformed forms', () => {
    const good = signed(notifyFields());
    expect(reason(() => verifyNotify({ ...good, total_amount: '1000.00' }, opts))).toBe('bad_signature');
    expect(reason(() => verifyNotify({ ...good, sign: signParams(notifyFields(), 'x') }, opts))).toBe('bad_signature');
    const ts = unixSeconds(clock.now());
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), timestamp: String(ts - 300) }), opts))).toBe('accepted');
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), timestamp: String(ts - 301) }), opts))).toBe('stale_timestamp');
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), timestamp: String(ts + 301) }), opts))).toBe('stale_timestamp');
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), appid: '10000002' }), opts))).toBe('wrong_appid');
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), total_amount: '1.001' }), opts))).toBe('malformed');
    expect(reason(() => verifyNotify(signed({ ...notifyFields(), total_amount: '0.00' }), opts))).toBe('malformed');
    const { trade_no: _dropped, ...noTradeNo } = notifyFields();
    expect(reason(() => verifyNotify(signed(noTradeNo), opts))).toBe('malformed');
    const repeated = new URLSearchParams(good);
    repeated.append('trade_no', '2018070920000006');
    expect(reason(() => verifyNotify(repeated, opts))).toBe('malformed');
  });

  it('verifies return parameters over the documented keys, ignoring our own query parameters', () => {
    const fields = {
      appid: '10000001',
      outer_trade_no: '100000010000000001',
      pay_result: 'success',
      timestamp: String(unixSeconds(clock.now())),
    };
    const query = new URLSearchParams({ order_no: 'ZF1', ...signed(fields) });
    expect(verifyReturnParams(query, opts)).toMatchObject({ payResult: 'success', outerTradeNo: '100000010000000001' });
    query.set('pay_result', 'fail');
    expect(reason(() => verifyReturnParams(query, opts))).toBe('bad_signature');
    expect(reason(() => verifyReturnParams(signed({ ...fields, pay_result: 'maybe' }), opts))).toBe('malformed');
  });
});
