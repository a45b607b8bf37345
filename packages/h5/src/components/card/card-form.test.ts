// The add-card form's checks: the shared AddCardRequest decides, with one Chinese message per wrong field.
import { describe, expect, it } from 'vitest';
import { formatCardNoInput, validateCardForm } from './card-form.ts';

const VALID = { holder_name: '张三', id_number: '11010519491231002X', card_no: '6214 8300 0009 0000', phone: '13800138000' };

describe('card form', () => {
  it('accepts the demo card and sends its number as digits only', () => {
    expect(validateCardForm(VALID)).toEqual({ ok: true, request: { ...VALID, card_no: '6214830000090000' } });
    expect(validateCardForm({ ...VALID, id_number: '11010519491231002x', holder_name: '阿依古丽·买买提' }).ok).toBe(true);
  });

  it('asks for each empty field', () => {
    expect(validateCardForm({ holder_name: '', id_number: ' ', card_no: '', phone: '' })).toEqual({
      ok: false,
      errors: { holder_name: '请输入持卡人姓名', id_number: '请输入身份证号', card_no: '请输入银行卡号', phone: '请输入银行预留手机号' },
    });
  });

  it('refuses a wrong Luhn digit, a short number, a wrong ID check character or birth date, and a bad mobile', () => {
    const wrong = (patch: Partial<typeof VALID>) => {
      const result = validateCardForm({ ...VALID, ...patch });
      return result.ok ? {} : result.errors;
    };
    expect(wrong({ card_no: '6214 8300 0009 0001' })).toEqual({ card_no: '银行卡号有误，请核对后重新输入' });
    expect(wrong({ card_no: '6214 8300 00' })).toEqual({ card_no: '银行卡号应为 12–19 位数字' });
    expect(wrong({ id_number: '110105194912310021' })).toEqual({ id_number: '身份证号不正确，请核对后重新输入' });
    expect(wrong({ id_number: '110105194902300025' })).toEqual({ id_number: '身份证号不正确，请核对后重新输入' });
    expect(wrong({ phone: '23800138000' })).toEqual({ phone: '请输入正确的 11 位手机号' });
    expect(wrong({ holder_name: 'Zhang San' })).toEqual({ holder_name: '持卡人姓名应为 2–20 个汉字' });
  });

  it('groups the card number by 4 digits as it is typed, dropping anything else, at most 19 digits', () => {
    expect(formatCardNoInput('62148300000')).toBe('6214 8300 000');
    expect(formatCardNoInput('6214-8300 0007a2222')).toBe('6214 8300 0007 2222');
    expect(formatCardNoInput('1'.repeat(25))).toBe('1111 1111 1111 1111 111');
  });
});
