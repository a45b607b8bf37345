// usePayAction: the explicit state of one API action, one call at a time, failures kept and handed on, never thrown.
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/api-error.ts';
import { deferred } from '@/test-utils/fetch-mock.ts';
import { usePayAction } from './use-pay-action.ts';

describe('usePayAction', () => {
  it('goes idle → loading → done, and ignores a second submit while the first runs', async () => {
    const gate = deferred<void>();
    const action = vi.fn((_pin: string) => gate.promise);
    const pay = usePayAction(action);
    expect(pay.state.value).toBe('idle');
    const first = pay.submit('123456');
    expect(pay.state.value).toBe('loading');
    await expect(pay.submit('123456')).resolves.toBe(false);
    gate.resolve();
    await expect(first).resolves.toBe(true);
    expect(pay.state.value).toBe('done');
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('keeps a failure as an ApiError, hands it to onError, and can be reset', async () => {
    const onError = vi.fn();
    const pay = usePayAction(() => Promise.reject(new ApiError('ZF0090', 402, { reason: 'declined' })), onError);
    await expect(pay.submit()).resolves.toBe(false);
    expect(pay.state.value).toBe('error');
    expect(pay.error.value).toMatchObject({ code: 'ZF0090', reason: 'declined' });
    expect(onError).toHaveBeenCalledWith(pay.error.value);
    pay.reset();
    expect([pay.state.value, pay.error.value]).toEqual(['idle', null]);
  });

  it('turns an unexpected throw into ZF0130 rather than a raw message', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const pay = usePayAction(() => Promise.reject(new Error('boom')));
    await pay.submit();
    expect(pay.error.value).toMatchObject({ code: 'ZF0130', message: '系统繁忙，请稍后再试' });
  });
});
