// The payment records: statuses, 再次支付 for open unpaid or failed orders, empty and error states.
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import { makeOrder, makeSession } from '@/test-utils/fixtures.ts';
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
});
