// The payment records: statuses, 再次支付 for open unpaid or failed orders, empty and error states.
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import { makeAttempt, makeOrder, makeSession } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const URL = '/pages/orders/orders';

beforeEach(() => {
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});

describe('orders page', () => {
  it('lists the orders with their status, and offers 再次支付 only on open unpaid or failed ones', async () => {
    mockApi({
      'GET /api/orders': {
        body: {
          orders: [
            makeOrder({ order_no: 'ZF-FAILED', display: 'failed' }),
            makeOrder({ order_no: 'ZF-PAID', status: 'settled', display: 'paid', self_pay_fen: 100 }),
            makeOrder({ order_no: 'ZF-CLOSED', status: 'closed', display: 'closed' }),
          ],
        },
      },
    });
    const { router, wrapper } = await mountPage(URL);
    const cards = wrapper.findAll('[data-test="order-card"]');
    expect(cards.map((c) => c.get('[data-test="order-display"]').text())).toEqual(['支付失败', '支付成功', '已关闭']);
    expect(cards[1]?.get('[data-test="order-amount"]').text()).toBe('¥1.00');
    expect(cards.map((c) => c.find('[data-test="order-pay-again"]').exists())).toEqual([true, false, false]);

    await cards[0]?.get('[data-test="order-pay-again"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/pages/cashier/cashier?order_no=ZF-FAILED');
  });

  it('shows the empty state when there are no records', async () => {
    mockApi({ 'GET /api/orders': { body: { orders: [] } } });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="empty"]').text()).toContain('暂无支付记录');
  });

  it('shows the error a Guanaitong trip came back with, and removes it from the URL', async () => {
    mockApi({ 'GET /api/orders': { body: { orders: [makeOrder()] } } });
    const { router, wrapper } = await mountPage(`${URL}?error=ZF0060`);
    expect(wrapper.get('[data-test="orders-notice"]').text()).toBe('订单不存在');
    expect(wrapper.findAll('[data-test="order-card"]')).toHaveLength(1);
    expect(router.currentRoute.value.fullPath).toBe(URL);
  });

  it('shows an expired session in Chinese', async () => {
    mockApi({ 'GET /api/orders': errorReply(401, 'ZF0020') });
    const { wrapper } = await mountPage(URL);
    expect(wrapper.get('[data-test="error"]').text()).toContain('链接无效或已过期');
  });

  it('distinguishes records by partner, amount and an unbroken order number', async () => {
    mockApi({
      'GET /api/orders': {
        body: {
          orders: [
            makeOrder({ order_no: 'ZF20261122100000000001', partner_name: '示例医院' }),
            makeOrder({ order_no: 'ZF20261122100000000002' }),
          ],
        },
      },
    });
    const { wrapper } = await mountPage(URL);
    const cards = wrapper.findAll('[data-test="order-card"]');
    expect(cards.map((c) => c.get('[data-test="order-title"]').text())).toEqual(['示例医院', '中国人保']);
    expect(cards.map((c) => c.get('[data-test="order-no-text"]').text())).toEqual(['ZF20261122100000000001', 'ZF20261122100000000002']);
    expect(cards[0]?.text()).toContain('订单总额 ¥1,234.56');
  });

  it('offers 再次支付 only on this link’s open orders; others open read-only', async () => {
    mockApi({
      'GET /api/orders': {
        body: {
          orders: [
            makeOrder({ order_no: 'ZF-OTHER', refer_no: 'REF-0999', display: 'failed' }),
            makeOrder({ order_no: 'ZF-OTHER-PARTNER', partner_id: 'acme', display: 'unpaid' }),
            makeOrder({ order_no: 'ZF-MINE', display: 'unpaid', partner_id: 'demo' }),
          ],
        },
      },
    });
    const { wrapper } = await mountPage(URL);
    const cards = wrapper.findAll('[data-test="order-card"]');
    expect(cards.map((c) => c.find('[data-test="order-pay-again"]').exists())).toEqual([false, false, true]);
  });

  it('opens a record’s read-only detail from the list (no per-order read), in the URL so back closes it', async () => {
    const failed = makeOrder({
      order_no: 'ZF-OTHER',
      refer_no: 'REF-0999',
      display: 'failed',
      partner_name: '示例医院',
      last_attempt: makeAttempt({ status: 'failed', failure_reason: 'declined', card_last4: '1111', transaction_no: 'PZ-778899' }),
    });
    const api = mockApi({ 'GET /api/orders': { body: { orders: [failed] } } });
    const { router, wrapper } = await mountPage(URL);
    await wrapper.get('[data-test="order-card"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe(`${URL}?detail=ZF-OTHER`);
    const detail = wrapper.get('[data-test="order-detail-view"]');
    expect(detail.get('[data-test="detail-status"]').text()).toBe('支付失败');
    expect(detail.get('[data-test="detail-method"]').text()).toContain('绑卡支付（尾号1111）');
    expect(detail.get('[data-test="detail-transaction-no"]').text()).toContain('PZ-778899');
    expect(detail.get('[data-test="detail-refer-no"]').text()).toContain('REF-0999');
    expect(detail.get('[data-test="detail-partner"]').text()).toContain('示例医院');
    expect(detail.get('[data-test="split-insurer"]').text()).toContain('¥987.64');
    expect(detail.get('[data-test="split-self"]').text()).toContain('¥246.92');
    expect(wrapper.find('[data-test="detail-pay-again"]').exists()).toBe(false);
    expect(api.calls.map((c) => c.path)).toEqual(['/api/orders']);

    router.back();
    await settle();
    expect(router.currentRoute.value.fullPath).toBe(URL);
  });

  it('reopens the detail on refresh, and pays this link’s order again from it', async () => {
    mockApi({ 'GET /api/orders': { body: { orders: [makeOrder({ order_no: 'ZF-MINE', display: 'failed' })] } } });
    const { router, wrapper } = await mountPage(`${URL}?detail=ZF-MINE`);
    expect(wrapper.find('[data-test="order-detail-view"]').exists()).toBe(true);
    await wrapper.get('[data-test="detail-pay-again"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/pages/cashier/cashier?order_no=ZF-MINE');
  });
});
