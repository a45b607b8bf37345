// The API client: Bearer token, JSON bodies, and one typed ApiError for every failure.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useSessionStore } from '@/stores/session.ts';
import { errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import { makeSession } from '@/test-utils/fixtures.ts';
import { ApiError, errorTitle, isRetryable } from './api-error.ts';
import { api, unwrap } from './client.ts';

beforeEach(() => setActivePinia(createPinia()));

describe('api client', () => {
  it('sends the session token and the JSON body', async () => {
    useSessionStore().save(makeSession(), null);
    const mock = mockApi({ 'POST /api/orders/ZF1/pay/balance': errorReply(402, 'ZF0090', { reason: 'wrong_pin', remaining_tries: 2 }) });
    const error = await api.payBalance('ZF1', '000000').catch((e: unknown) => e);
    expect(mock.calls[0]?.headers.authorization).toBe('Bearer tok-demo-001');
    expect(mock.calls[0]?.headers['content-type']).toBe('application/json');
    expect(mock.calls[0]?.body).toEqual({ pin: '000000' });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'ZF0090', reason: 'wrong_pin', remainingTries: 2, status: 402, requestId: 'req-test' });
    expect((error as ApiError).message).toBe('支付密码错误，还可尝试 2 次');
  });

  it('sends no Authorization header without a session, and encodes path segments', async () => {
    const mock = mockApi({ 'GET /api/orders/A%2FB': { body: { order: null } } });
    await api.getOrder('A/B');
    expect(mock.calls[0]?.path).toBe('/api/orders/A%2FB');
    expect(mock.calls[0]?.headers.authorization).toBeUndefined();
  });

  it('turns a network failure into ZF0130 with status 0, worded as the network and retryable', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = (await api.listOrders().catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'ZF0130', status: 0, network: true, message: '网络异常，请检查网络后重试' });
    expect(isRetryable(error)).toBe(true);
    expect(errorTitle(error)).toBe('网络异常');
  });

  it('shows a partner configuration error (ZF0030) as a generic bad link, without a retry', async () => {
    const error = await unwrap(new Response('{"code":"ZF0030"}', { status: 403 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ZF0030', message: '链接无效，请返回重新进入' });
    expect(isRetryable(error as ApiError)).toBe(false);
    expect(errorTitle(error as ApiError)).toBe('链接无效');
  });

  it('offers a retry only where it may help', () => {
    expect(['ZF0130', 'ZF0120', 'ZF0090'].map((code) => isRetryable(new ApiError(code, 500)))).toEqual([true, true, true]);
    expect(['ZF0010', 'ZF0020', 'ZF0060', 'ZF0070', 'ZF0080'].map((code) => isRetryable(new ApiError(code, 400)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('turns a non-JSON error page and an unknown code into ZF0130', async () => {
    await expect(unwrap(new Response('<html>502</html>', { status: 502 }))).rejects.toMatchObject({ code: 'ZF0130', status: 502 });
    await expect(unwrap(new Response('{"code":"ZF9999"}', { status: 400 }))).rejects.toMatchObject({ code: 'ZF0130', status: 400 });
  });

  it('returns the parsed body of a 2xx answer', async () => {
    await expect(unwrap(new Response('{"orders":[]}', { status: 200 }))).resolves.toEqual({ orders: [] });
  });
});
