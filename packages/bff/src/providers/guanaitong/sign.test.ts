import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signingString, signParams, verifySignedParams } from './sign.ts';

const SECRET = 'f4cc82386a1cdddcc98e4f53b1115a62';

describe('guanaitong signature', () => {
  it('reproduces the published vector of PROVIDERS.md', () => {
    const params = { appid: '30000003', grant_type: 'client_credential', timestamp: 1494313879 };
    expect(signingString(params, SECRET)).toBe(
      'appid=30000003&appsecret=f4cc82386a1cdddcc98e4f53b1115a62&grant_type=client_credential&timestamp=1494313879',
    );
    expect(signParams(params, SECRET)).toBe('27e1f7bdf619e2bf3672fd9101ba010a2434c119');
  });

  it('drops sign and empty values, trims, sorts, and ignores a smuggled appsecret', () => {
    const params = {
      timestamp: ' 1494313879 ',
      ' appid': '30000003',
      grant_type: 'client_credential',
      sign: 'whatever',
      attach: '',
      blank: '   ',
      missing: undefined,
      nothing: null,
      appsecret: 'not-the-secret',
    };
    expect(signParams(params, SECRET)).toBe('27e1f7bdf619e2bf3672fd9101ba010a2434c119');
  });

  it('signs raw values: Chinese text as UTF-8, URLs and JSON unencoded', () => {
    const params = { reason: '测试支付', notify_url: 'http://10.100.32.228:8087/open/notify', trade_info: '{"a":1}' };
    const expected = createHash('sha1')
      .update(`appsecret=${SECRET}&notify_url=http://10.100.32.228:8087/open/notify&reason=测试支付&trade_info={"a":1}`, 'utf8')
      .digest('hex');
    expect(signParams(params, SECRET)).toBe(expected);
  });

  it('sorts keys by byte order, upper case before lower case', () => {
    expect(signingString({ b: '1', B: '2', a_b: '3', ab: '4' }, 's')).toBe('B=2&a_b=3&ab=4&appsecret=s&b=1');
  });

  it('verifies a good signature and refuses tampering, a wrong secret and a malformed sign', () => {
    const params = { appid: '30000003', point: '10.20', timestamp: '1494313879' };
    const sign = signParams(params, SECRET);
    expect(verifySignedParams({ ...params, sign }, SECRET)).toBe(true);
    expect(verifySignedParams({ ...params, sign: sign.toUpperCase() }, SECRET)).toBe(true);
    expect(verifySignedParams({ ...params, point: '10.21', sign }, SECRET)).toBe(false);
    expect(verifySignedParams({ ...params, extra: 'x', sign }, SECRET)).toBe(false);
    expect(verifySignedParams({ ...params, sign }, 'another-secret')).toBe(false);
    expect(verifySignedParams({ ...params, sign: sign.slice(0, 39) }, SECRET)).toBe(false);
    expect(verifySignedParams(params, SECRET)).toBe(false);
  });
});
