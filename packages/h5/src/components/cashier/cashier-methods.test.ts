// Which payment methods the cashier offers, in which order, and why the others are disabled.
import { describe, expect, it } from 'vitest';
import { makeCashier } from '@/test-utils/fixtures.ts';
import { defaultMethod, methodOptions } from './cashier-methods.ts';

describe('cashier methods', () => {
  it('lists the five methods in order, adding 支付宝 and 微信 disabled when the server leaves them out', () => {
    const options = methodOptions(makeCashier().methods.slice(0, 3), false);
    expect(options.map((o) => [o.label, o.enabled, o.note])).toEqual([
      ['余额支付', true, null],
      ['绑卡支付', true, '招商银行 尾号0000'],
      ['关爱通', true, null],
      ['支付宝', false, '暂未开通'],
      ['微信支付', false, '暂未开通'],
    ]);
  });

  it('disables the balance while the PIN is locked and defaults to the next usable method', () => {
    const options = methodOptions(makeCashier().methods, true);
    expect(options[0]).toMatchObject({ method: 'balance', enabled: false, note: '支付密码错误次数过多，已锁定', balanceFen: 500_000 });
    expect(defaultMethod(options)).toBe('card');
  });

  it('says when a locked PIN unlocks, in Beijing time', () => {
    const options = methodOptions(makeCashier().methods, true, '2026-11-22T02:35:00.000Z');
    expect(options[0]).toMatchObject({
      method: 'balance',
      enabled: false,
      note: '支付密码错误次数过多，已锁定，2026-11-22 10:35 后可再试',
    });
  });

  it('never enables a method the wallet cannot pay with, even if the server says so', () => {
    const options = methodOptions([{ method: 'alipay', enabled: true, balance_fen: null, note: null }], false);
    expect(options.map((o) => [o.method, o.enabled])).toEqual([
      ['alipay', false],
      ['wechat', false],
    ]);
    expect(defaultMethod(options)).toBeNull();
  });

  it('marks a balance below the amount to pay 余额不足, not selectable, and defaults to the next usable method', () => {
    const options = methodOptions(
      makeCashier({ methods: [{ method: 'balance', enabled: true, balance_fen: 100, note: null }, ...makeCashier().methods.slice(1)] })
        .methods,
      false,
      null,
      2500,
    );
    expect(options[0]).toMatchObject({ method: 'balance', enabled: false, insufficient: true, note: '余额不足', balanceFen: 100 });
    expect(defaultMethod(options)).toBe('card');
    // Exactly enough is enough.
    expect(methodOptions([{ method: 'balance', enabled: true, balance_fen: 2500, note: null }], false, null, 2500)[0]).toMatchObject({
      enabled: true,
      insufficient: false,
    });
  });
});
