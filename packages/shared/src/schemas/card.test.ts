// The bound-card checks the H5 form and the BFF share: Luhn, the GB 11643 ID check character, masking, the request.
import { describe, expect, it } from 'vitest';
import { AddCardRequest, isLuhnValid, isValidChineseIdNumber, maskCardNo, maskPhone } from './card.ts';

const holder = { holder_name: '张三', id_number: '11010519491231002X', phone: '13800138000' };

describe('card checks', () => {
  it('accepts Luhn-valid numbers and refuses one wrong digit or a non-digit', () => {
    for (const ok of ['6214830000072222', '4111111111111111', '6214830000090000', '79927398713']) expect(isLuhnValid(ok)).toBe(true);
    for (const bad of ['6214830000072223', '4111111111111112', '79927398710', '6214-8300', '']) expect(isLuhnValid(bad)).toBe(false);
  });

  it('checks the ID number check character (X for 10), its birth date and its length', () => {
    expect(isValidChineseIdNumber('11010519491231002X')).toBe(true);
    expect(isValidChineseIdNumber('11010519491231002x')).toBe(true);
    expect(isValidChineseIdNumber('440304199001011233')).toBe(true);
    expect(isValidChineseIdNumber('110105194912310021')).toBe(false); // check character
    expect(isValidChineseIdNumber('110105194902300020')).toBe(false); // 30 February
    expect(isValidChineseIdNumber('11010519491231002')).toBe(false);
    expect(isValidChineseIdNumber('1101051949123100XX')).toBe(false);
  });

  it('masks a card to its first and last 4 digits whatever its length, and a phone to 3 + 4', () => {
    expect(maskCardNo('6214830000072222')).toBe('6214 **** **** 2222');
    expect(maskCardNo('6214830000000000003')).toBe('6214 **** **** 0003');
    expect(maskPhone('13800138000')).toBe('138****8000');
  });

  it('normalizes spaces in the card number and refuses bad fields', () => {
    expect(AddCardRequest.parse({ ...holder, card_no: '6214 8300 0007 2222' }).card_no).toBe('6214830000072222');
    expect(AddCardRequest.safeParse({ ...holder, card_no: '6214830000072223' }).success).toBe(false);
    expect(AddCardRequest.safeParse({ ...holder, card_no: '6214830000072222', phone: '23800138000' }).success).toBe(false);
    expect(AddCardRequest.safeParse({ ...holder, card_no: '6214830000072222', holder_name: 'Li' }).success).toBe(false);
  });
});
