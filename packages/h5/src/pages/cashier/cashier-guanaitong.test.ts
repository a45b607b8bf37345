// 关爱通 at the cashier: points or quota, the trip to Guanaitong's login, the quota picker the BFF sends the browser
// back to (gat_pick), and the refusals it sends back (error / reason), each shown once and removed from the URL.
import { Popup } from 'vant';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import GuanaitongAssetPicker from '@/components/guanaitong/GuanaitongAssetPicker.vue';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import { makeAttempt, makeCashier, makeOrder, makePick, makeSession, SERVER_NOW } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';
import { navigateTo } from '@/utils/navigate.ts';

vi.mock('@/utils/navigate.ts', () => ({ navigateTo: vi.fn() }));

const NO = 'ZF20261122100000123456';
const URL = `/pages/cashier/cashier?order_no=${NO}`;
const CASHIER = `GET /api/orders/${NO}/cashier`;
const START = `POST /api/orders/${NO}/pay/guanaitong/start`;
const PICK = 'GET /api/providers/guanaitong/pick';
const PAY = 'POST /api/providers/guanaitong/pay';
const LOGIN_URL = 'http://gat.test/sso/login?appid=30000003&state=s';
const CASHIER_URL = 'http://gat.test/cashier?trade_no=T1&t=c';
const TOKEN = 'pick.token-1';

const navigated = vi.mocked(navigateTo);

beforeEach(() => {
  navigated.mockClear();
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});
afterEach(() => {
  vi.useRealTimers();
});

async function chooseGuanaitong(wrapper: VueWrapper, payType: 1 | 2): Promise<void> {
  await wrapper.get('[data-test="method-guanaitong"]').trigger('click');
  await wrapper.get(`[data-test="gat-type-${payType}"]`).trigger('click');
  await settle();
}

const assetRadioDisabled = (wrapper: VueWrapper, id: string): boolean =>
  wrapper.get(`[data-test="gat-asset-${id}"]`).find('.van-radio__icon--disabled').exists();

describe('cashier: 关爱通', () => {
  it('starts a points payment and sends the browser to Guanaitong’s login', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [START]: { body: { login_url: LOGIN_URL, expires_at: SERVER_NOW } } });
    const { wrapper } = await mountPage(URL);
    await chooseGuanaitong(wrapper, 1);
    expect(wrapper.get('[data-test="pay-guanaitong"]').text()).toBe('关爱通积分支付 ¥246.92');
    await wrapper.get('[data-test="pay-guanaitong"]').trigger('click');
    await settle();
    expect(api.callsTo(START).map((c) => c.body)).toEqual([{ pay_type: 1 }]);
    expect(navigated).toHaveBeenCalledWith(LOGIN_URL);
  });

  it('starts a quota payment with pay_type 2, and shows a refusal to start', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [START]: errorReply(422, 'ZF0150') });
    const { wrapper } = await mountPage(URL);
    await chooseGuanaitong(wrapper, 2);
    expect(wrapper.get('[data-test="pay-guanaitong"]').text()).toBe('关爱通额度支付 ¥246.92');
    await wrapper.get('[data-test="pay-guanaitong"]').trigger('click');
    await settle();
    expect(api.callsTo(START).map((c) => c.body)).toEqual([{ pay_type: 2 }]);
    expect(navigated).not.toHaveBeenCalled();
    expect(wrapper.get('[data-test="pay-error"]').text()).toBe('该支付方式暂不可用');
  });

  it('lists the quota assets of gat_pick, disables the short one, pays with the choice and goes to Guanaitong’s cashier', async () => {
    const api = mockApi({
      [CASHIER]: { body: makeCashier() },
      [PICK]: { body: makePick() },
      [PAY]: { body: { cashier_url: CASHIER_URL } },
    });
    const { router, wrapper } = await mountPage(`${URL}&gat_pick=${encodeURIComponent(TOKEN)}`);
    expect(api.callsTo(PICK).map((c) => c.query)).toEqual([`?pick=${encodeURIComponent(TOKEN)}`]);
    expect(wrapper.get('[data-test="gat-asset-QA-MED-01"]').text()).toContain('可用 ¥2,000.00');
    expect(wrapper.get('[data-test="gat-asset-QA-CHK-02"]').text()).toContain('额度不足');
    expect(assetRadioDisabled(wrapper, 'QA-CHK-02')).toBe(true);
    expect(assetRadioDisabled(wrapper, 'QA-MED-01')).toBe(false);
    expect(wrapper.get('[data-test="gat-countdown"]').text()).toContain('00:55');

    // Tapping the short asset does not choose it.
    await wrapper.get('[data-test="gat-asset-QA-CHK-02"]').trigger('click');
    await wrapper.get('[data-test="gat-pick-pay"]').trigger('click');
    await settle();
    expect(api.callsTo(PAY).map((c) => c.body)).toEqual([{ pick: TOKEN, account_openid: 'QA-MED-01' }]);
    expect(navigated).toHaveBeenCalledWith(CASHIER_URL);
    expect(router.currentRoute.value.query).toEqual({ order_no: NO });
  });

  it('offers to start again when the pick has expired (ZF0090 authorization_expired), and drops it from the URL', async () => {
    const api = mockApi({
      [CASHIER]: { body: makeCashier() },
      [PICK]: errorReply(402, 'ZF0090', { reason: 'authorization_expired' }),
      [START]: { body: { login_url: LOGIN_URL, expires_at: SERVER_NOW } },
    });
    const { router, wrapper } = await mountPage(`${URL}&gat_pick=${TOKEN}`);
    expect(wrapper.get('[data-test="gat-picker-error"]').text()).toBe('关爱通授权已过期，请重新选择关爱通支付');
    expect(router.currentRoute.value.query).toEqual({ order_no: NO });
    await wrapper.get('[data-test="gat-restart"]').trigger('click');
    await settle();
    expect(api.callsTo(START).map((c) => c.body)).toEqual([{ pay_type: 2 }]);
    expect(navigated).toHaveBeenCalledWith(LOGIN_URL);
  });

  it('counts down on the server’s clock and, at zero, refuses the pick and offers to start again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z')); // the phone's clock is years off
    const api = mockApi({
      [CASHIER]: { body: makeCashier() },
      [PICK]: { body: makePick({ expires_at: new Date(Date.parse(SERVER_NOW) + 3000).toISOString() }) },
    });
    const { router, wrapper } = await mountPage(`${URL}&gat_pick=${TOKEN}`);
    expect(wrapper.get('[data-test="gat-countdown"]').text()).toContain('00:03');
    vi.advanceTimersByTime(3000);
    await settle();
    expect(wrapper.find('[data-test="gat-pick-pay"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="gat-picker-error"]').text()).toContain('关爱通授权已过期');
    expect(wrapper.find('[data-test="gat-restart"]').exists()).toBe(true);
    expect(router.currentRoute.value.query).toEqual({ order_no: NO });
    expect(api.callsTo(PAY)).toHaveLength(0);
  });

  it('shows a refused quota payment in the picker; closing it drops the pick and leaves the cashier usable on 关爱通 额度', async () => {
    mockApi({
      [CASHIER]: { body: makeCashier() },
      [PICK]: { body: makePick() },
      [PAY]: errorReply(402, 'ZF0090', { reason: 'insufficient_balance' }),
    });
    const { router, wrapper } = await mountPage(`${URL}&gat_pick=${TOKEN}`);
    await wrapper.get('[data-test="gat-pick-pay"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="gat-picker-error"]').text()).toBe('余额不足，请选择其他支付方式');
    expect(navigated).not.toHaveBeenCalled();
    expect(router.currentRoute.value.query).toEqual({ order_no: NO });
    const sheet = wrapper.getComponent(GuanaitongAssetPicker).getComponent(Popup);
    expect(sheet.props('show')).toBe(true);
    await wrapper.get('[data-test="gat-picker-close"]').trigger('click');
    await settle();
    expect(sheet.props('show')).toBe(false);
    // The cashier behind the picker kept the method that led there, not the first one.
    expect(wrapper.get('[data-test="pay-guanaitong"]').text()).toBe('关爱通额度支付 ¥246.92');
    await wrapper.get('[data-test="method-balance"]').trigger('click');
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(true);
  });

  it('shows the error a refused Guanaitong trip came back with once, and removes it from the URL', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() } });
    const { router, wrapper } = await mountPage(`${URL}&error=ZF0090&reason=insufficient_balance`);
    expect(wrapper.get('[data-test="pay-error"]').text()).toBe('余额不足，请选择其他支付方式');
    expect(router.replace).toHaveBeenCalledWith({ path: '/pages/cashier/cashier', query: { order_no: NO } });
    expect(router.currentRoute.value.fullPath).toBe(URL);
    wrapper.unmount();

    // A refresh of the cleaned URL shows nothing.
    const again = await mountPage(router.currentRoute.value.fullPath);
    expect(again.wrapper.find('[data-test="pay-error"]').exists()).toBe(false);
  });

  it('preselects 关爱通 when the trip came back expired, so it can be started again', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() } });
    const { wrapper } = await mountPage(`${URL}&error=ZF0090&reason=authorization_expired`);
    expect(wrapper.get('[data-test="pay-error"]').text()).toBe('关爱通授权已过期，请重新选择关爱通支付');
    expect(wrapper.find('[data-test="pay-guanaitong"]').exists()).toBe(true);
  });

  it('stays open for an unfinished Guanaitong trip, pointing at its result', async () => {
    const pending = makeOrder({ display: 'processing', last_attempt: makeAttempt({ method: 'guanaitong' }) });
    mockApi({ [CASHIER]: { body: makeCashier({ order: pending }) }, [`GET /api/orders/${NO}`]: { body: { order: pending } } });
    const { router, wrapper } = await mountPage(URL);
    expect(router.replace).not.toHaveBeenCalled();
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(true);
    await wrapper.get('[data-test="gat-pending"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/pay-result/pay-result');
  });
});
