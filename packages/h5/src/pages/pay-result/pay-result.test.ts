// The result page: success, failure with 再次支付, closed, and polling while the payment is processing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttemptView } from '@zf/shared';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { deferred, errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import type { Reply } from '@/test-utils/fetch-mock.ts';
import { makeOrder, makeSession, SERVER_NOW } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const NO = 'ZF20261122100000123456';
const URL = `/pages/pay-result/pay-result?order_no=${NO}`;
const GET_ORDER = `GET /api/orders/${NO}`;

const cardAttempt = (status: AttemptView['status'], failure_reason: string | null = null): AttemptView => ({
  id: 'ATT1',
  method: 'card',
  status,
  amount_fen: 24_692,
  failure_reason,
  created_at: SERVER_NOW,
});
const paid = makeOrder({ status: 'settled', display: 'paid', paid_at: SERVER_NOW, last_attempt: cardAttempt('succeeded') });
const processing = makeOrder({ display: 'processing', last_attempt: cardAttempt('pending_bank') });

beforeEach(() => {
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});
afterEach(() => {
  vi.useRealTimers();
});

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

describe('pay-result page', () => {
  it('shows a loading state, then 支付成功 with the amounts', async () => {
    const order = deferred<Reply>();
    mockApi({ [GET_ORDER]: () => order.promise });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(true);

    order.resolve({ body: { order: paid } });
    await settle();
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付成功');
    expect(wrapper.get('[data-test="result-amount"]').text()).toBe('¥246.92');
    expect(wrapper.get('[data-test="split-self"]').text()).toContain('您已支付');
    expect(wrapper.get('[data-test="split-insurer"]').text()).toContain('¥987.64');
    expect(wrapper.find('[data-test="pay-again"]').exists()).toBe(false);
  });

  it('polls while processing, backing off from 2 s, and stops once paid', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = mockApi({ [GET_ORDER]: { body: { order: processing } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('支付结果确认中，请稍候');
    expect(api.callsTo(GET_ORDER)).toHaveLength(1);

    await advance(1999);
    expect(api.callsTo(GET_ORDER)).toHaveLength(1);
    await advance(1);
    expect(api.callsTo(GET_ORDER)).toHaveLength(2);
    await advance(3000);
    expect(api.callsTo(GET_ORDER)).toHaveLength(3);

    api.on(GET_ORDER, { body: { order: paid } });
    await advance(4500);
    expect(api.callsTo(GET_ORDER)).toHaveLength(4);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付成功');

    await advance(60_000);
    expect(api.callsTo(GET_ORDER)).toHaveLength(4);
  });

  it('never waits more than 10 s between polls, and keeps polling through a dropped connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = mockApi({ [GET_ORDER]: { body: { order: processing } } });
    await mountPage(URL);
    await advance(2000 + 3000 + 4500 + 6750); // the first four polls
    expect(api.callsTo(GET_ORDER)).toHaveLength(5);
    api.on(GET_ORDER, errorReply(500, 'ZF0130'));
    await advance(10_000);
    expect(api.callsTo(GET_ORDER)).toHaveLength(6);
    api.on(GET_ORDER, { body: { order: processing } });
    await advance(10_000);
    expect(api.callsTo(GET_ORDER)).toHaveLength(7);
  });

  it('stops polling when the page is left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = mockApi({ [GET_ORDER]: { body: { order: processing } } });
    const { wrapper } = await mountPage(URL);
    wrapper.unmount();
    await advance(60_000);
    expect(api.calls).toHaveLength(1);
  });

  it('shows 支付失败 with the reason and 再次支付 back to the cashier while the order is open', async () => {
    const failed = makeOrder({ display: 'failed', last_attempt: cardAttempt('failed', 'declined') });
    mockApi({ [GET_ORDER]: { body: { order: failed } } });
    const { router, wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付失败');
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('银行卡支付被拒绝，请更换支付方式');
    expect(wrapper.get('[data-test="pay-again"]').text()).toBe('再次支付');
    await wrapper.get('[data-test="pay-again"]').trigger('click');
    expect(router.replace).toHaveBeenCalledWith({ path: '/pages/cashier/cashier', query: { order_no: NO } });
  });

  it('shows 处理中 then 支付成功 for a card payment without a reload, and a failure with the bank’s reason', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = mockApi({ [GET_ORDER]: { body: { order: makeOrder({ display: 'processing', last_attempt: cardAttempt('submitted') }) } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
    api.on(GET_ORDER, { body: { order: processing } }); // the 5 s rule: pending_bank, still 处理中
    await advance(2000);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
    api.on(GET_ORDER, { body: { order: makeOrder({ display: 'failed', last_attempt: cardAttempt('failed', 'card_unavailable') }) } });
    await advance(3000);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付失败');
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('该银行卡暂不支持支付，请更换银行卡');
    expect(wrapper.find('[data-test="pay-again"]').exists()).toBe(true);
  });

  it('offers 更换支付方式 while a Guanaitong payment waits for its notify, and 再次支付 once it was cancelled', async () => {
    const gat = (status: AttemptView['status'], reason: string | null = null): AttemptView => ({
      ...cardAttempt(status, reason),
      method: 'guanaitong',
    });
    const api = mockApi({ [GET_ORDER]: { body: { order: makeOrder({ display: 'processing', last_attempt: gat('submitted') }) } } });
    const first = await mountPage(URL);
    expect(first.wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
    await first.wrapper.get('[data-test="change-method"]').trigger('click');
    expect(first.router.replace).toHaveBeenCalledWith({ path: '/pages/cashier/cashier', query: { order_no: NO } });
    first.wrapper.unmount();

    api.on(GET_ORDER, { body: { order: makeOrder({ display: 'failed', last_attempt: gat('failed', 'cancelled') }) } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('已取消支付，可重新选择支付方式');
    expect(wrapper.get('[data-test="pay-again"]').text()).toBe('再次支付');
    expect(wrapper.find('[data-test="change-method"]').exists()).toBe(false);
  });

  it('shows a closed order without 再次支付', async () => {
    mockApi({ [GET_ORDER]: { body: { order: makeOrder({ status: 'closed', display: 'closed' }) } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('已关闭');
    expect(wrapper.get('[data-test="result-detail"]').text()).toBe('订单已关闭或已过期');
    expect(wrapper.find('[data-test="pay-again"]').exists()).toBe(false);
  });

  it('shows an unknown order with its code and the way to the records, without a retry', async () => {
    mockApi({ [GET_ORDER]: errorReply(404, 'ZF0060') });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error"]').text()).toContain('订单不存在');
    expect(wrapper.get('[data-test="error-code"]').text()).toBe('错误码 ZF0060');
    expect(wrapper.find('[data-test="retry"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="to-orders"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="leave"]').exists()).toBe(true);
  });

  it('shows a dropped connection as a network problem, and retries', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error"]').text()).toContain('网络异常，请检查网络后重试');
    expect(wrapper.find('[data-test="error-code"]').exists()).toBe(false);
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('网络异常');
    const api = mockApi();
    api.on(GET_ORDER, { body: { order: paid } });
    await wrapper.get('[data-test="retry"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付成功');
  });
});
