// The split rule: exact parts, never beyond what each part paid, and a full refund returns both shares exactly.
import { describe, expect, it } from 'vitest';
import { splitRefund } from './refund.split.ts';

describe('refund split', () => {
  it('splits the demo order proportionally: 100.00 = 80.00 insurer + 20.00 self-pay', () => {
    expect(splitRefund({ amountFen: 10_000, insurerFen: 8_000 }, 0, 10_000)).toEqual({ insurerFen: 8_000, selfPayFen: 2_000 });
    expect(splitRefund({ amountFen: 10_000, insurerFen: 8_000 }, 0, 1_001)).toEqual({ insurerFen: 800, selfPayFen: 201 });
    expect(splitRefund({ amountFen: 10_000, insurerFen: 8_000 }, 1_001, 8_999)).toEqual({ insurerFen: 7_200, selfPayFen: 1_799 });
  });

  it('refuses a refund beyond the amount paid', () => {
    expect(() => splitRefund({ amountFen: 100, insurerFen: 50 }, 60, 41)).toThrow(RangeError);
    expect(() => splitRefund({ amountFen: 100, insurerFen: 50 }, 0, 0)).toThrow(RangeError);
  });

  it('any sequence of partial refunds: parts sum to each amount, never exceed either share, a full sequence returns both', () => {
    // A deterministic pseudo-random walk (no dependency): 2 000 orders, up to 8 partial refunds each, then the rest.
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let n = 0; n < 2_000; n++) {
      const amount = 1 + Math.floor(next() ** 3 * 9_999_999_999);
      const insurer = Math.floor(amount * next());
      let done = 0;
      let insurerDone = 0;
      for (let k = 0; k < 9 && done < amount; k++) {
        const left = amount - done;
        const r = k === 8 ? left : Math.max(1, Math.floor(left * next()));
        const part = splitRefund({ amountFen: amount, insurerFen: insurer }, done, r);
        expect(part.insurerFen + part.selfPayFen).toBe(r);
        expect(Math.min(part.insurerFen, part.selfPayFen)).toBeGreaterThanOrEqual(0);
        done += r;
        insurerDone += part.insurerFen;
        expect(insurerDone).toBeLessThanOrEqual(insurer);
        expect(done - insurerDone).toBeLessThanOrEqual(amount - insurer);
      }
      expect([done, insurerDone]).toEqual([amount, insurer]);
    }
  });
});
