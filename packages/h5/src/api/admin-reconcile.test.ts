import { describe, expect, it } from 'vitest';
import { fromLocalInput, ranByLabel, toLocalInput } from './admin-reconcile.ts';

describe('the reconciliation window in Beijing time', () => {
  it('shows and reads datetime-local values as Asia/Shanghai, whatever the browser zone', () => {
    const ms = Date.parse('2026-12-02T01:30:00Z');
    expect(toLocalInput(ms)).toBe('2026-12-02T09:30');
    expect(fromLocalInput('2026-12-02T09:30')).toBe(ms);
    expect(fromLocalInput('2026-12-02T00:10')).toBe(Date.parse('2026-12-01T16:10:00Z'));
    expect(fromLocalInput('')).toBeNaN();
    expect(fromLocalInput('2026-12-02 09:30')).toBeNaN();
  });

  it('names who ran a run', () => {
    expect([ranByLabel('job'), ranByLabel('cli'), ranByLabel('admin:alice'), ranByLabel('other')]).toEqual([
      '每日任务',
      '命令行',
      '管理员 alice',
      'other',
    ]);
  });
});
