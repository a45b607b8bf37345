import { describe, expect, it } from 'vitest';
import { applyRatioFloor, formatCny, formatYuan, parsePositiveYuan, parseYuan, quote } from './money.ts';

describe('parseYuan', () => {
  it.each([
    ['10.2', 1020],
    ['10.20', 1020],
    ['0.01', 1],
    ['0.1', 10],
    ['100', 10000],
    ['0', 0],
    ['99999999.99', 9_999_999_999],
    ['1.15', 115], // 1.15 * 100 in floating point is 114.99999999999999
    ['0.29', 29],
  ])('parses %s exactly as %i fen', (input, fen) => {
    expect(parseYuan(input)).toBe(fen);
  });

  it.each([
    '',
    ' ',
    '0.001',
    '-1',
    '+1',
    '1e3',
    '1E3',
    '.5',
    '5.',
    '01',
    '1,000',
    '100000000',
    'NaN',
    'Infinity',
    '0x10',
    '1 ',
    ' 1',
    '１',
  ])('refuses %j', (input) => {
    expect(parseYuan(input)).toBeNull();
  });

  it('refuses zero as an amount to pay', () => {
    expect(parsePositiveYuan('0')).toBeNull();
    expect(parsePositiveYuan('0.00')).toBeNull();
    expect(parsePositiveYuan('0.01')).toBe(1);
  });
});

describe('formatYuan / formatCny', () => {
  it('formats fen with two decimals', () => {
    expect(formatYuan(1020)).toBe('10.20');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(-5)).toBe('-0.05');
    expect(formatCny(123456789)).toBe('¥1,234,567.89');
    expect(formatCny(0)).toBe('¥0.00');
  });

  it('round-trips every amount through parse and format', () => {
    for (const fen of [0, 1, 9, 10, 99, 100, 101, 123456, 9_999_999_999]) expect(parseYuan(formatYuan(fen))).toBe(fen);
  });

  it('refuses non-integer fen', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });
});

describe('quote (SPEC §3.4)', () => {
  it('pays ratio × (amount − deductible), rounded down to the fen', () => {
    expect(quote(10050, { ratioBp: 8000, deductibleFen: 0, coverageLeftFen: 1_000_000 })).toEqual({
      amountFen: 10050,
      insurerFen: 8040,
      selfPayFen: 2010,
    });
    // 333 × 33.33 % = 110.9889 → 110
    expect(quote(333, { ratioBp: 3333, deductibleFen: 0, coverageLeftFen: 1_000_000 })).toEqual({
      amountFen: 333,
      insurerFen: 110,
      selfPayFen: 223,
    });
  });

  it('applies the deductible and never pays below zero', () => {
    expect(quote(25000, { ratioBp: 10000, deductibleFen: 10000, coverageLeftFen: 50000 }).insurerFen).toBe(15000);
    expect(quote(5000, { ratioBp: 10000, deductibleFen: 10000, coverageLeftFen: 50000 })).toEqual({
      amountFen: 5000,
      insurerFen: 0,
      selfPayFen: 5000,
    });
  });

  it('caps the insurer share at the coverage left', () => {
    expect(quote(60000, { ratioBp: 10000, deductibleFen: 10000, coverageLeftFen: 50000 })).toEqual({
      amountFen: 60000,
      insurerFen: 50000,
      selfPayFen: 10000,
    });
  });

  it('always splits the whole amount: X + Y = A, both non-negative', () => {
    for (let a = 1; a < 5000; a += 37) {
      for (const ratioBp of [0, 1, 3333, 8000, 10000]) {
        const q = quote(a, { ratioBp, deductibleFen: 120, coverageLeftFen: 2000 });
        expect(q.insurerFen + q.selfPayFen).toBe(a);
        expect(q.insurerFen).toBeGreaterThanOrEqual(0);
        expect(q.selfPayFen).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('is exact for the largest amounts', () => {
    expect(applyRatioFloor(9_999_999_999, 9999)).toBe(9_998_999_999);
  });
});
