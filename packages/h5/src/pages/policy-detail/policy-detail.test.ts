// The confirm page: the quote (insurer pays X, you pay Y) and order creation that replaces itself with the cashier.
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { deferred, errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import type { Reply } from '@/test-utils/fetch-mock.ts';
import { makeOrder, makeSession, PAIC_POLICY, PICC_QUOTE } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const URL = '/pages/policy-detail/policy-detail?policy_no=POL-PICC-001';

beforeEach(() => {
  sessionStorage.clear();
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});

describe('policy-detail page', () => {
  it('shows a loading state, then what the insurer pays and what the user pays', async () => {
    const quote = deferred<Reply>();
    const api = mockApi({ 'GET /api/policies/POL-PICC-001/quote': () => quote.promise });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(true);

    quote.resolve({ body: PICC_QUOTE });
    await settle();
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    expect(wrapper.get('[data-test="insurer-pays"]').text()).toBe('保险公司支付 ¥987.64');
    expect(wrapper.get('[data-test="split-total"]').text()).toContain('¥1,234.56');
    const info = wrapper.get('[data-test="policy-info"]').text();
    expect(info).toContain('中国人保');
    expect(info).toContain('百万医疗险');
    expect(info).toContain('80%');
    expect(info).toContain('¥0.00');
    expect(info).toContain('¥10,000.00');
    expect(api.calls[0]?.headers.authorization).toBe('Bearer tok-demo-001');
  });

  it('creates the order on confirm and pushes the cashier, so back from it returns to the quote', async () => {
    const api = mockApi({
      'GET /api/policies/POL-PICC-001/quote': { body: PICC_QUOTE },
      'POST /api/orders': { status: 201, body: { order: makeOrder({ order_no: 'ZF-NEW-1' }) } },
    });
    const { router, wrapper } = await mountPage(URL);
    await wrapper.get('[data-test="confirm"]').trigger('click');
    await settle();
    expect(api.callsTo('POST /api/orders').map((c) => c.body)).toEqual([{ policy_no: 'POL-PICC-001' }]);
    expect(router.push).toHaveBeenCalledWith({ path: '/pages/cashier/cashier', query: { order_no: 'ZF-NEW-1' } });
    expect(router.replace).not.toHaveBeenCalled();
    expect(router.currentRoute.value.fullPath).toBe('/pages/cashier/cashier?order_no=ZF-NEW-1');
  });

  it('goes straight to the result when the insurer pays everything', async () => {
    mockApi({
      'GET /api/policies/POL-PICC-001/quote': { body: { ...PICC_QUOTE, insurer_fen: 123_456, self_pay_fen: 0 } },
      'POST /api/orders': { body: { order: makeOrder({ order_no: 'ZF-ALL', status: 'settled', display: 'paid', self_pay_fen: 0 }) } },
      'GET /api/orders/ZF-ALL': { body: { order: makeOrder({ order_no: 'ZF-ALL', status: 'settled', display: 'paid', self_pay_fen: 0 }) } },
    });
    const { router, wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥0.00');
    await wrapper.get('[data-test="confirm"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/pages/pay-result/pay-result?order_no=ZF-ALL');
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('支付成功');
  });

  it('shows why the order could not be created, and stays', async () => {
    mockApi({ 'GET /api/policies/POL-PICC-001/quote': { body: PICC_QUOTE }, 'POST /api/orders': errorReply(422, 'ZF0050') });
    const { router, wrapper } = await mountPage(URL);
    await wrapper.get('[data-test="confirm"]').trigger('click');
    await settle();
    expect(document.body.textContent).toContain('该保单不可用于本次支付');
    expect(router.currentRoute.value.path).toBe('/pages/policy-detail/policy-detail');
  });

  it('shows an error with a retry when the quote fails', async () => {
    const api = mockApi({ 'GET /api/policies/POL-PICC-001/quote': errorReply(500, 'ZF0130') });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error"]').text()).toContain('系统繁忙，请稍后再试');
    api.on('GET /api/policies/POL-PICC-001/quote', { body: PICC_QUOTE });
    await wrapper.get('[data-test="retry"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
  });

  it('reports a missing policy number without calling the API', async () => {
    const api = mockApi();
    const { wrapper } = await mountPage('/pages/policy-detail/policy-detail');
    expect(wrapper.get('[data-test="error"]').text()).toContain('参数缺失或格式不正确');
    expect(api.calls).toHaveLength(0);
  });

  it('explains a share capped by the coverage left, and a zero share under the deductible', async () => {
    const capped = { policy: PAIC_POLICY, amount_fen: 100_000, insurer_fen: 50_000, self_pay_fen: 50_000 };
    const api = mockApi({ 'GET /api/policies/POL-PICC-001/quote': { body: capped } });
    const first = await mountPage(URL);
    expect(first.wrapper.get('[data-test="quote-note"]').attributes('data-kind')).toBe('capped');
    expect(first.wrapper.get('[data-test="quote-note"]').text()).toContain('保单剩余保额仅 ¥500.00');
    first.wrapper.unmount();

    api.on('GET /api/policies/POL-PICC-001/quote', {
      body: { policy: PAIC_POLICY, amount_fen: 8_000, insurer_fen: 0, self_pay_fen: 8_000 },
    });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="quote-note"]').text()).toContain('未超过免赔额 ¥100.00');
  });

  it('creates the order once on a double tap', async () => {
    const gate = deferred<Reply>();
    const api = mockApi({ 'GET /api/policies/POL-PICC-001/quote': { body: PICC_QUOTE }, 'POST /api/orders': () => gate.promise });
    const { wrapper } = await mountPage(URL);
    await wrapper.get('[data-test="confirm"]').trigger('click');
    await wrapper.get('[data-test="confirm"]').trigger('click');
    gate.resolve({ status: 201, body: { order: makeOrder() } });
    await settle();
    expect(api.callsTo('POST /api/orders')).toHaveLength(1);
  });
});
