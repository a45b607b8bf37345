import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDate, formatDateTime } from './format.ts';

// What Intl says Beijing time is: the reference the fixed-offset formatting must match.
const reference = [false, true].map(
  (time) =>
    new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(time ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    }),
);
const intl = (ms: number, time: boolean) => {
  const p = Object.fromEntries(reference[Number(time)]!.formatToParts(ms).map((x) => [x.type, x.value]));
  return time ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.year}-${p.month}-${p.day}`;
};

describe('Beijing dates', () => {
  afterEach(() => vi.restoreAllMocks());

  it('crosses the day in Beijing, not in UTC', () => {
    expect(formatDateTime('2026-11-21T16:05:00Z')).toBe('2026-11-22 00:05');
    expect(formatDateTime('2026-11-21T15:59:59.999Z')).toBe('2026-11-21 23:59');
    expect(formatDate('2026-12-31T16:00:00Z')).toBe('2027-01-01');
    expect(formatDate('2026-11-22')).toBe('2026-11-22');
    expect(formatDateTime('2026-11-22T10:05:00+08:00')).toBe('2026-11-22 10:05');
    expect(formatDate('2028-02-28T16:30:00Z')).toBe('2028-02-29');
  });

  it('agrees with Intl for Asia/Shanghai over years of instants', () => {
    // Every ~37 hours and 11 minutes from 1992 to 2040: all hours, minutes and month ends come round.
    for (let ms = Date.UTC(1992, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 37 * 3_600_000 + 11 * 60_000 + 7_000) {
      const iso = new Date(ms).toISOString();
      expect(formatDateTime(iso)).toBe(intl(ms, true));
      expect(formatDate(iso)).toBe(intl(ms, false));
    }
  });

  it('gives back what is not a date', () => {
    expect(formatDate('')).toBe('');
    expect(formatDateTime('不是日期')).toBe('不是日期');
  });

  it('builds no Intl.DateTimeFormat (its zone data was the entry page’s longest task)', () => {
    const spy = vi.spyOn(Intl, 'DateTimeFormat');
    formatDate('2026-11-22T00:00:00Z');
    formatDateTime('2026-11-22T00:00:00Z');
    expect(spy).not.toHaveBeenCalled();
  });
});
