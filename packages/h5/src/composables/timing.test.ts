// The countdown's text and the polling schedule.
import { describe, expect, it } from 'vitest';
import { formatRemaining } from './use-countdown.ts';
import { pollDelay } from './use-polling.ts';

describe('timing', () => {
  it('formats the time left, rounding up so 00:00 means over', () => {
    expect(formatRemaining(30 * 60_000)).toBe('30:00');
    expect(formatRemaining(59_001)).toBe('01:00');
    expect(formatRemaining(1)).toBe('00:01');
    expect(formatRemaining(0)).toBe('00:00');
    expect(formatRemaining(-5)).toBe('00:00');
    expect(formatRemaining(3_600_000 + 61_000)).toBe('1:01:01');
  });

  it('polls after 2 s, backs off by 1.5×, and never waits more than 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((n) => pollDelay(n))).toEqual([2000, 3000, 4500, 6750, 10_000, 10_000, 10_000]);
  });
});
