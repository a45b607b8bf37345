// The result page's way out: 完成 / 返回商户 to the session's return_url or closing the webview, back from a final
// result leaving the wallet instead of re-entering its flow, and the user's own cancel shown as 已取消, not a failure.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { mockApi } from '@/test-utils/fetch-mock.ts';
import { makeAttempt, makeOrder, makeSession, SERVER_NOW } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';
import { leaveWallet } from '@/utils/leave-wallet.ts';

vi.mock('@/utils/leave-wallet.ts', () => ({ leaveWallet: vi.fn(), markWalletEntry: vi.fn() }));

const NO = 'ZF20261122100000123456';
const URL = `/pages/pay-result/pay-result?order_no=${NO}`;
const GET_ORDER = `GET /api/orders/${NO}`;
const paid = makeOrder({
  status: 'settled',
  display: 'paid',
  paid_at: SERVER_NOW,
  last_attempt: makeAttempt({ method: 'balance', status: 'succeeded' }),
});
const left = vi.mocked(leaveWallet);

function storeSession(returnUrl?: string): void {
  sessionStorage.setItem(
    SESSION_STORAGE_KEY,
    JSON.stringify({ sign: 'a'.repeat(64), session: { ...makeSession(), return_url: returnUrl } }),
  );
}

beforeEach(() => {
  left.mockClear();
});

describe('pay-result: leaving the wallet', () => {
  it('offers 返回商户 to the session’s return_url', async () => {
    storeSession('http://localhost:9000/claims/REF-1001');
    mockApi({ [GET_ORDER]: { body: { order: paid } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="finish"]').text()).toBe('返回商户');
    await wrapper.get('[data-test="finish"]').trigger('click');
    expect(left).toHaveBeenCalledWith('http://localhost:9000/claims/REF-1001', undefined);
  });

  it('offers 完成 (close the webview) when the link had no return_url', async () => {
    storeSession();
    mockApi({ [GET_ORDER]: { body: { order: paid } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="finish"]').text()).toBe('完成');
    await wrapper.get('[data-test="finish"]').trigger('click');
    expect(left).toHaveBeenCalledWith(null, undefined);
  });

  it('leaves the wallet on back from a paid order instead of going back into the flow', async () => {
    storeSession('http://localhost:9000/done');
    mockApi({ [GET_ORDER]: { body: { order: paid } } });
    const { router } = await mountPage('/pages/policy-detail/policy-detail?policy_no=POL-PICC-001');
    await router.push(URL);
    await settle();
    router.back();
    await settle();
    expect(left).toHaveBeenCalledWith('http://localhost:9000/done', undefined);
    expect(router.currentRoute.value.path).toBe('/pages/pay-result/pay-result');
  });

  it('lets back through while the order can still be paid, and to the records page by push', async () => {
    storeSession();
    mockApi({
      [GET_ORDER]: {
        body: { order: makeOrder({ display: 'failed', last_attempt: makeAttempt({ status: 'failed', failure_reason: 'declined' }) }) },
      },
    });
    const { router, wrapper } = await mountPage('/pages/orders/orders');
    await router.push(URL);
    await settle();
    await wrapper.get('[data-test="to-orders"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/orders/orders');
    expect(left).not.toHaveBeenCalled();
  });

  it('shows the user’s own cancel as a neutral 已取消 with 再次支付, not a red 支付失败', async () => {
    storeSession();
    const cancelled = makeOrder({
      display: 'failed',
      last_attempt: makeAttempt({ method: 'guanaitong', status: 'failed', failure_reason: 'cancelled' }),
    });
    mockApi({ [GET_ORDER]: { body: { order: cancelled } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('已取消');
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('已取消支付，可重新选择支付方式');
    expect(wrapper.find('.van-icon-clear').exists()).toBe(false);
    expect(wrapper.find('.van-icon-info').exists()).toBe(true);
    expect(wrapper.get('[data-test="pay-again"]').text()).toBe('再次支付');
  });

  it('shows the order number on one line with 复制', async () => {
    storeSession();
    mockApi({ [GET_ORDER]: { body: { order: paid } } });
    const { wrapper } = await mountPage(URL);
    const no = wrapper.get('[data-test="result-order-no"] [data-test="order-no-text"]');
    expect(no.text()).toBe(NO);
    expect(no.classes()).toContain('zf-nowrap');
    expect(wrapper.find('[data-test="result-order-no"] [data-test="order-no-copy"]').exists()).toBe(true);
  });
});
