// The entry page: verifying the deep link, resuming its session on refresh, and where it goes next.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { deferred, errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import type { Reply } from '@/test-utils/fetch-mock.ts';
import { makeCashier, makeSession, POLICY_LIST } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const SIGN = 'a'.repeat(64);
const LINK = {
  amout: '1234.56',
  refer_no: 'REF-1001',
  claim_no: 'CLM-DEMO-001',
  callback: 'http://localhost:9000/cb?x=1',
  partner_id: 'demo',
  timestamp: '1795312800',
  sign: SIGN,
  channel: 'app',
};
const entryUrl = (params: Record<string, string> = LINK) => `/pages/valid-policy/valid-policy?${new URLSearchParams(params).toString()}`;

beforeEach(() => sessionStorage.clear());

describe('valid-policy page', () => {
  it('shows a loading state while the link is verified, then the total and the policies', async () => {
    const session = deferred<Reply>();
    mockApi({ 'POST /api/session': () => session.promise, 'GET /api/policies': { body: POLICY_LIST } });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="policy-card"]').exists()).toBe(false);

    session.resolve({ body: makeSession() });
    await settle();
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="total"]').text()).toBe('¥1,234.56');
    expect(wrapper.text()).toContain('张三');
    const cards = wrapper.findAll('[data-test="policy-card"]');
    expect(cards).toHaveLength(2);
    expect(cards[0]?.text()).toContain('中国人保');
    expect(cards[0]?.text()).toContain('报销 80%');
    expect(cards[0]?.text()).toContain('¥10,000.00');
    expect(cards[1]?.text()).toContain('¥100.00');
  });

  it('sends every query parameter of the link, as strings, and uses the issued token', async () => {
    const api = mockApi({ 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { body: POLICY_LIST } });
    await mountPage(entryUrl());
    expect(api.callsTo('POST /api/session')[0]?.body).toEqual({ params: LINK });
    expect(api.callsTo('GET /api/policies')[0]?.headers.authorization).toBe('Bearer tok-demo-001');
    const stored = JSON.parse(sessionStorage.getItem(SESSION_STORAGE_KEY) ?? 'null') as { sign: string; session: { token: string } };
    expect(stored.sign).toBe(SIGN);
    expect(stored.session.token).toBe('tok-demo-001');
  });

  it('reuses the stored session when the same link is refreshed, without verifying it again', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: SIGN, session: { ...makeSession(), token: 'tok-stored' } }));
    const api = mockApi({
      'POST /api/session': errorReply(401, 'ZF0020'),
      'GET /api/entry': { body: { next: { page: 'policies' } } },
      'GET /api/policies': { body: POLICY_LIST },
    });
    const { wrapper } = await mountPage(entryUrl());
    expect(api.callsTo('POST /api/session')).toHaveLength(0);
    expect(api.callsTo('GET /api/policies')[0]?.headers.authorization).toBe('Bearer tok-stored');
    expect(wrapper.findAll('[data-test="policy-card"]')).toHaveLength(2);
  });

  it('reuses the stored session when the page is opened without a signed link', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: SIGN, session: makeSession() }));
    const api = mockApi({ 'GET /api/entry': { body: { next: { page: 'policies' } } }, 'GET /api/policies': { body: POLICY_LIST } });
    const { wrapper } = await mountPage('/pages/valid-policy/valid-policy');
    expect(api.callsTo('POST /api/session')).toHaveLength(0);
    expect(wrapper.findAll('[data-test="policy-card"]')).toHaveLength(2);
  });

  it('asks where a reused session goes now: back from the cashier resumes the order created meanwhile', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: SIGN, session: makeSession() }));
    const api = mockApi({
      'GET /api/entry': { body: { next: { page: 'cashier', order_no: 'ZF20261122100000123456' } } },
      'GET /api/orders/ZF20261122100000123456/cashier': { body: makeCashier() },
    });
    const { router } = await mountPage(entryUrl());
    expect(api.callsTo('POST /api/session')).toHaveLength(0);
    expect(api.callsTo('GET /api/policies')).toHaveLength(0);
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
    expect(router.currentRoute.value.query.order_no).toBe('ZF20261122100000123456');
  });

  it('verifies a different link (another sign) instead of reusing the stored session', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'b'.repeat(64), session: makeSession() }));
    const api = mockApi({ 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { body: POLICY_LIST } });
    await mountPage(entryUrl());
    expect(api.callsTo('POST /api/session')).toHaveLength(1);
  });

  it('replaces itself with the cashier when the link resumes an open order', async () => {
    const api = mockApi({
      'POST /api/session': { body: makeSession({ page: 'cashier', order_no: 'ZF20261122100000123456' }) },
      'GET /api/orders/ZF20261122100000123456/cashier': { body: makeCashier() },
    });
    const { router, wrapper } = await mountPage(entryUrl());
    expect(router.replace).toHaveBeenCalledTimes(1);
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
    expect(router.currentRoute.value.query.order_no).toBe('ZF20261122100000123456');
    expect(api.callsTo('GET /api/policies')).toHaveLength(0);
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    // Read once: the entry started the read as it sent the user on, and the cashier took it.
    expect(api.callsTo('GET /api/orders/ZF20261122100000123456/cashier')).toHaveLength(1);
  });

  it('starts the cashier read before the cashier page mounts, and the page shows that read', async () => {
    const cashier = deferred<Reply>();
    const api = mockApi({
      'POST /api/session': { body: makeSession({ page: 'cashier', order_no: 'ZF20261122100000123456' }) },
      'GET /api/orders/ZF20261122100000123456/cashier': () => cashier.promise,
    });
    const page = deferred<void>();
    const { router, wrapper } = await mountPage(entryUrl(), (r) =>
      r.beforeResolve(async (to) => {
        if (to.path === '/pages/cashier/cashier') await page.promise;
      }),
    );
    // The cashier's chunk is still "loading" (the navigation is held): its read is out already.
    expect(router.currentRoute.value.path).toBe('/pages/valid-policy/valid-policy');
    expect(api.callsTo('GET /api/orders/ZF20261122100000123456/cashier')).toHaveLength(1);
    page.resolve();
    cashier.resolve({ body: makeCashier() });
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    expect(api.callsTo('GET /api/orders/ZF20261122100000123456/cashier')).toHaveLength(1);
  });

  it('replaces itself with the result page when the order is already paid', async () => {
    mockApi({ 'POST /api/session': { body: makeSession({ page: 'result', order_no: 'ZF1' }) } });
    const { router } = await mountPage(entryUrl());
    expect(router.replace).toHaveBeenCalledTimes(1);
    expect(router.currentRoute.value.fullPath).toBe('/pages/pay-result/pay-result?order_no=ZF1');
  });

  it('shows the empty state when the claim has no valid policy (ZF0040)', async () => {
    mockApi({ 'POST /api/session': { body: makeSession() }, 'GET /api/policies': errorReply(404, 'ZF0040') });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="empty"]').text()).toContain('暂无可用的有效保单');
    expect(wrapper.find('[data-test="error"]').exists()).toBe(false);
  });

  it('shows a refused link in Chinese, without a retry that could not help', async () => {
    mockApi({ 'POST /api/session': errorReply(401, 'ZF0020') });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="error"]').text()).toContain('链接无效或已过期，请从合作方应用重新进入');
    expect(wrapper.find('[data-test="retry"]').exists()).toBe(false);
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('offers a retry after a system error, and recovers', async () => {
    const api = mockApi({ 'POST /api/session': errorReply(500, 'ZF0130'), 'GET /api/policies': { body: POLICY_LIST } });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="error"]').text()).toContain('系统繁忙，请稍后再试');
    api.on('POST /api/session', { body: makeSession() });
    await wrapper.get('[data-test="retry"]').trigger('click');
    await settle();
    expect(wrapper.findAll('[data-test="policy-card"]')).toHaveLength(2);
  });

  it('opens the chosen policy’s detail', async () => {
    mockApi({ 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { body: POLICY_LIST } });
    const { router, wrapper } = await mountPage(entryUrl());
    await wrapper.findAll('[data-test="policy-card"]')[1]?.trigger('click');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/pages/policy-detail/policy-detail?policy_no=POL-PAIC-001');
  });

  it('shows what the user pays with each policy beside the bill, and the self-pay as headline with one policy', async () => {
    const api = mockApi({ 'POST /api/session': { body: makeSession() }, 'GET /api/policies': { body: POLICY_LIST } });
    const first = await mountPage(entryUrl());
    expect(first.wrapper.get('[data-test="entry-summary"]').text()).toContain('本次账单总额');
    expect(first.wrapper.get('[data-test="entry-summary"]').text()).not.toContain('待支付');
    // PICC 80 % of 1 234.56 → the user pays 246.92; PAIC caps at 500.00 left → 734.56.
    expect(first.wrapper.findAll('[data-test="policy-self-pay"]').map((w) => w.text())).toEqual(['¥246.92', '¥734.56']);
    first.wrapper.unmount();

    sessionStorage.clear();
    api.on('GET /api/policies', { body: { ...POLICY_LIST, policies: [POLICY_LIST.policies[0]] } });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="entry-self-pay"]').text()).toBe('¥246.92');
    expect(wrapper.get('[data-test="entry-summary"]').text()).toContain('本次您需自付');
    expect(wrapper.get('[data-test="total"]').text()).toBe('¥1,234.56');
  });

  it('shows a partner configuration error (ZF0030) as a generic bad link with its code, titled 链接无效', async () => {
    mockApi({ 'POST /api/session': errorReply(403, 'ZF0030') });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="error"]').text()).toContain('链接无效，请返回重新进入');
    expect(wrapper.text()).not.toContain('回调地址');
    expect(wrapper.get('[data-test="error-code"]').text()).toBe('错误码 ZF0030');
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('链接无效');
    expect(wrapper.find('[data-test="retry"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="leave"]').exists()).toBe(true);
  });

  it('shows a malformed link (ZF0010) the same way', async () => {
    mockApi({ 'POST /api/session': errorReply(400, 'ZF0010') });
    const { wrapper } = await mountPage(entryUrl());
    expect(wrapper.get('[data-test="error"]').text()).toContain('链接无效，请返回重新进入');
    expect(wrapper.get('[data-test="error-code"]').text()).toBe('错误码 ZF0010');
  });

  it('came back to with the back button, shows the list and the open order instead of bouncing to the cashier', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: SIGN, session: makeSession() }));
    const NO = 'ZF20261122100000123456';
    const api = mockApi({
      'GET /api/entry': { body: { next: { page: 'policies' } } },
      'GET /api/policies': { body: POLICY_LIST },
      [`GET /api/orders/${NO}/cashier`]: { body: makeCashier() },
    });
    const { router, wrapper } = await mountPage(entryUrl());
    // The order is created meanwhile; the user goes on to the cashier, then presses back.
    api.on('GET /api/entry', { body: { next: { page: 'cashier', order_no: NO } } });
    await router.push(`/pages/cashier/cashier?order_no=${NO}`);
    await settle();
    vi.spyOn(router.options.history, 'state', 'get').mockReturnValue({ forward: `/pages/cashier/cashier?order_no=${NO}` });
    router.back();
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/valid-policy/valid-policy');
    expect(wrapper.findAll('[data-test="policy-card"]')).toHaveLength(2);
    expect(wrapper.get('[data-test="entry-order"]').text()).toContain('继续支付');
    await wrapper.get('[data-test="entry-order"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
  });
});
