import { describe, expect, it } from 'vitest';
import { buildTradeInfo, outerTradeNo, serializeTradeInfo } from './trade.ts';
import { validateTradeInfo } from '../../../dev/guanaitong/simulator-validate.ts';

describe('guanaitong trade_info and outer_trade_no', () => {
  it('builds trade_info for the self-pay share with exact decimals', () => {
    const info = buildTradeInfo({ orderNo: 'ZF20261122100000123456', selfPayFen: 1020 });
    const json = serializeTradeInfo(info);
    expect(json).toBe(
      '{"third_trade_no":"ZF20261122100000123456","third_total_amount":10.20,"third_pay_amount":10.20,' +
        '"third_cost_amount":10.20,"is_third_orders":2,"goods_detail":[{"sku_id":"SELF-PAY","name":"医疗费用自付部分",' +
        '"quantity":1,"good_price":10.20,"good_pay_amount":10.20,"good_cost_amount":10.20}]}',
    );
    expect(JSON.parse(json)).toMatchObject({ is_third_orders: 2, third_pay_amount: 10.2 });
    expect(() => validateTradeInfo(json)).not.toThrow();
  });

  it('keeps large amounts exact and escapes text', () => {
    const json = serializeTradeInfo(buildTradeInfo({ orderNo: 'A"1', selfPayFen: 9_999_999_999, costFen: 0, goodsName: '自付"部分' }));
    expect(json).toContain('"third_pay_amount":99999999.99');
    expect(json).toContain('"third_cost_amount":0.00');
    expect(JSON.parse(json)).toMatchObject({ third_trade_no: 'A"1', goods_detail: [{ name: '自付"部分' }] });
  });

  it('refuses amounts out of range and over-long text', () => {
    expect(() => buildTradeInfo({ orderNo: 'ZF1', selfPayFen: 0 })).toThrow(RangeError);
    expect(() => buildTradeInfo({ orderNo: 'ZF1', selfPayFen: 10.5 })).toThrow(RangeError);
    expect(() => buildTradeInfo({ orderNo: 'x'.repeat(51), selfPayFen: 1 })).toThrow(RangeError);
  });

  it('builds outer_trade_no with the seller prefix within 10–30 chars', () => {
    expect(outerTradeNo('20110783', '1558403602084')).toBe('201107831558403602084');
    expect(outerTradeNo('20110783', '7')).toBe('2011078307');
    const long = outerTradeNo('20110783', 'ZF20261122100000123456-attempt-2');
    expect(long).toHaveLength(30);
    expect(long.startsWith('20110783')).toBe(true);
    expect(outerTradeNo('20110783', 'ZF20261122100000123456-attempt-2')).toBe(long);
    expect(outerTradeNo('20110783', 'ZF20261122100000123456-attempt-3')).not.toBe(long);
    expect(() => outerTradeNo('20110783', 'a b')).toThrow(RangeError);
    expect(() => outerTradeNo('x'.repeat(30), '1')).toThrow(RangeError);
  });
});
