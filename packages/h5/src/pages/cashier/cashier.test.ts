// The cashier: amount and countdown, the method list, the balance PIN flow and how each payment error is handled.
import { NumberKeyboard, Popup } from 'vant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { deferred, errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import type { Reply } from '@/test-utils/fetch-mock.ts';
import { makeCashier, makeOrder, makeSession, SERVER_NOW } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const NO = 'ZF20261122100000123456';
const URL = `/pages/cashier/cashier?order_no=${NO}`;
const CASHIER = `GET /api/orders/${NO}/cashier`;
const PAY_BALANCE = `POST /api/orders/${NO}/pay/balance`;

const paidOrder = makeOrder({ status: 'settled', display: 'paid', paid_at: SERVER_NOW });
const attempt = { id: 'ATT1', method: 'balance', status: 'succeeded', amount_fen: 24_692, failure_reason: null, created_at: SERVER_NOW };

async function typePin(wrapper: VueWrapper, pin: string): Promise<void> {
  await wrapper.get('[data-test="pay-balance"]').trigger('click');
  await settle();
  wrapper.findComponent(NumberKeyboard).vm.$emit('update:modelValue', pin);
  await settle();
}

const sheetOpen = (wrapper: VueWrapper): boolean => wrapper.findComponent(Popup).props('show') === true;

beforeEach(() => {
  sessionStorage.clear();
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('cashier page', () => {
  it('shows a loading state, then the amount to pay, the insurer share and the time left', async () => {
    const cashier = deferred<Reply>();
    mockApi({ [CASHIER]: () => cashier.promise });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(true);

    cashier.resolve({ body: makeCashier() });
    await settle();
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    expect(wrapper.get('[data-test="insurer-pays"]').text()).toContain('保险公司支付 ¥987.64');
    expect(wrapper.get('[data-test="countdown"]').text()).toContain('30:00');
  });

  it('lists the methods, with balance, and 支付宝 / 微信 disabled as 暂未开通', async () => {
    mockApi({ [CASHIER]: { body: makeCashier({ methods: makeCashier().methods.slice(0, 3) }) } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="method-balance"]').text()).toContain('可用余额 ¥5,000.00');
    for (const method of ['alipay', 'wechat']) {
      const row = wrapper.get(`[data-test="method-${method}"]`);
      expect(row.text()).toContain('暂未开通');
      expect(row.find('.van-radio__icon--disabled').exists()).toBe(true);
    }
    // Balance is chosen by default; choosing the card swaps the pay button.
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(true);
    await wrapper.get('[data-test="method-card"]').trigger('click');
    expect(wrapper.find('[data-test="pay-card"]').exists()).toBe(true);
    await wrapper.get('[data-test="method-alipay"]').trigger('click');
    expect(wrapper.find('[data-test="pay-card"]').exists()).toBe(true);
  });

  it('pays with the balance and the PIN, then replaces itself with the result page', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [PAY_BALANCE]: { body: { order: paidOrder, attempt } } });
    const { router, wrapper } = await mountPage(URL);
    await typePin(wrapper, '123456');
    expect(api.callsTo(PAY_BALANCE).map((c) => c.body)).toEqual([{ pin: '123456' }]);
    expect(router.replace).toHaveBeenCalledWith({ path: '/pages/pay-result/pay-result', query: { order_no: NO } });
    expect(router.currentRoute.value.path).toBe('/pages/pay-result/pay-result');
  });

  it('keeps the keyboard open after a wrong PIN, shows the tries left, and accepts the next PIN', async () => {
    const api = mockApi({
      [CASHIER]: { body: makeCashier() },
      [PAY_BALANCE]: errorReply(402, 'ZF0090', { reason: 'wrong_pin', remaining_tries: 4 }),
    });
    const { router, wrapper } = await mountPage(URL);
    await typePin(wrapper, '111111');
    expect(wrapper.get('[data-test="pin-input"]').text()).toContain('支付密码错误，还可尝试 4 次');
    expect(sheetOpen(wrapper)).toBe(true);
    expect(wrapper.findComponent(NumberKeyboard).props('show')).toBe(true);
    expect(wrapper.findComponent(NumberKeyboard).props('modelValue')).toBe('');
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');

    api.on(PAY_BALANCE, { body: { order: paidOrder, attempt } });
    wrapper.findComponent(NumberKeyboard).vm.$emit('update:modelValue', '123456');
    await settle();
    expect(api.callsTo(PAY_BALANCE).map((c) => c.body)).toEqual([{ pin: '111111' }, { pin: '123456' }]);
    expect(router.currentRoute.value.path).toBe('/pages/pay-result/pay-result');
  });

  it('closes the sheet on insufficient balance and lets the user choose another method', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, [PAY_BALANCE]: errorReply(402, 'ZF0090', { reason: 'insufficient_balance' }) });
    const { wrapper } = await mountPage(URL);
    await typePin(wrapper, '123456');
    expect(sheetOpen(wrapper)).toBe(false);
    expect(wrapper.get('[data-test="pay-error"]').text()).toContain('余额不足，请选择其他支付方式');
    await wrapper.get('[data-test="method-card"]').trigger('click');
    expect(wrapper.find('[data-test="pay-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="pay-card"]').exists()).toBe(true);
  });

  it('disables the balance once the PIN is locked (ZF0110)', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [PAY_BALANCE]: errorReply(423, 'ZF0110') });
    const { wrapper } = await mountPage(URL);
    api.on(CASHIER, { body: makeCashier({ pin_locked: true, pin_locked_until: '2026-11-22T02:35:00.000Z' }) });
    await typePin(wrapper, '000000');
    expect(wrapper.get('[data-test="pay-error"]').text()).toContain('支付密码错误次数过多，已锁定');
    expect(wrapper.get('[data-test="method-balance"]').text()).toContain('已锁定，2026-11-22 10:35 后可再试');
    expect(wrapper.get('[data-test="method-balance"]').find('.van-radio__icon--disabled').exists()).toBe(true);
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="pay-card"]').exists()).toBe(true);
  });

  it('goes to the result when the order turns out already paid (ZF0080)', async () => {
    mockApi({
      [CASHIER]: { body: makeCashier() },
      [PAY_BALANCE]: errorReply(409, 'ZF0080'),
      [`GET /api/orders/${NO}`]: { body: { order: paidOrder } },
    });
    const { router, wrapper } = await mountPage(URL);
    await typePin(wrapper, '123456');
    expect(router.currentRoute.value.fullPath).toBe(`/pages/pay-result/pay-result?order_no=${NO}`);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付成功');
  });

  it('shows the closed state when the server says the order closed (ZF0070)', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [PAY_BALANCE]: errorReply(409, 'ZF0070') });
    const { wrapper } = await mountPage(URL);
    api.on(CASHIER, { body: makeCashier({ order: makeOrder({ status: 'closed', display: 'closed' }) }) });
    await typePin(wrapper, '123456');
    expect(wrapper.get('[data-test="closed"]').text()).toContain('订单已关闭或已过期');
  });

  it('closes when the countdown, on the server’s clock, reaches zero', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z')); // the phone's clock is years off; the server's counts
    const deadline = new Date(Date.parse(SERVER_NOW) + 3000).toISOString();
    mockApi({ [CASHIER]: { body: makeCashier({ order: makeOrder({ deadline_at: deadline }) }) } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="countdown"]').text()).toContain('00:03');
    expect(wrapper.find('[data-test="closed"]').exists()).toBe(false);
    vi.advanceTimersByTime(3000);
    await settle();
    expect(wrapper.find('[data-test="closed"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(false);
  });

  it('replaces itself with the result page when the order is already paid', async () => {
    mockApi({ [CASHIER]: { body: makeCashier({ order: paidOrder }) }, [`GET /api/orders/${NO}`]: { body: { order: paidOrder } } });
    const { router } = await mountPage(URL);
    expect(router.replace).toHaveBeenCalledWith({ path: '/pages/pay-result/pay-result', query: { order_no: NO } });
  });

  it('shows an unknown order as an error with its code and title, and no retry that cannot help', async () => {
    mockApi({ [CASHIER]: errorReply(404, 'ZF0060') });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error"]').text()).toContain('订单不存在');
    expect(wrapper.get('[data-test="error-code"]').text()).toBe('错误码 ZF0060');
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('订单不存在');
    expect(document.title).toBe('订单不存在 - 商保直付通');
    expect(wrapper.find('[data-test="retry"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="leave"]').text()).toBe('完成');
  });

  it('offers a retry for a busy server, and recovers', async () => {
    const api = mockApi({ [CASHIER]: errorReply(500, 'ZF0130') });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error-code"]').text()).toBe('错误码 ZF0130');
    api.on(CASHIER, { body: makeCashier() });
    await wrapper.get('[data-test="retry"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('收银台');
  });

  it('marks a short balance 余额不足 and pre-selects a method that can pay (defect 6)', async () => {
    const methods = makeCashier().methods.map((m) => (m.method === 'balance' ? { ...m, balance_fen: 100 } : m));
    mockApi({ [CASHIER]: { body: makeCashier({ methods }) }, 'GET /api/cards': { body: { cards: [] } } });
    const { wrapper } = await mountPage(URL);
    const balance = wrapper.get('[data-test="method-balance"]');
    expect(balance.text()).toContain('可用余额 ¥1.00');
    expect(balance.text()).toContain('余额不足');
    expect(balance.find('.van-radio__icon--disabled').exists()).toBe(true);
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="pay-card"]').exists()).toBe(true);
    await balance.trigger('click');
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(false);
  });

  it('reads the cashier again when the tab is shown, and leaves for the result once paid elsewhere', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [`GET /api/orders/${NO}`]: { body: { order: paidOrder } } });
    const { router } = await mountPage(URL);
    expect(api.callsTo(CASHIER)).toHaveLength(1);
    api.on(CASHIER, { body: makeCashier({ order: paidOrder }) });
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(api.callsTo(CASHIER)).toHaveLength(2);
    expect(router.currentRoute.value.path).toBe('/pages/pay-result/pay-result');
  });

  it('polls every 15 s while open, keeping the page through a failed poll, and stops once closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = mockApi({ [CASHIER]: { body: makeCashier() } });
    const { wrapper } = await mountPage(URL);
    await vi.advanceTimersByTimeAsync(15_000);
    await settle();
    expect(api.callsTo(CASHIER)).toHaveLength(2);
    api.on(CASHIER, errorReply(500, 'ZF0130'));
    await vi.advanceTimersByTimeAsync(15_000);
    await settle();
    expect(api.callsTo(CASHIER)).toHaveLength(3);
    expect(wrapper.find('[data-test="error"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(true);
    api.on(CASHIER, { body: makeCashier({ order: makeOrder({ status: 'closed', display: 'closed' }) }) });
    await vi.advanceTimersByTimeAsync(15_000);
    await settle();
    expect(wrapper.find('[data-test="closed"]').exists()).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.callsTo(CASHIER)).toHaveLength(4);
  });

  it('keeps the chosen method across a refresh of the same order', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, 'GET /api/cards': { body: { cards: [] } } });
    const first = await mountPage(URL);
    await first.wrapper.get('[data-test="method-guanaitong"]').trigger('click');
    await first.wrapper.get('[data-test="gat-type-2"]').trigger('click');
    first.wrapper.unmount();
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="pay-guanaitong"]').text()).toBe('关爱通额度支付 ¥246.92');
  });

  it('shows an offline payment as a network problem, not 系统繁忙', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() } });
    const { wrapper } = await mountPage(URL);
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await typePin(wrapper, '123456');
    expect(wrapper.get('[data-test="pay-error"]').text()).toBe('网络异常，请检查网络后重试');
  });
});
