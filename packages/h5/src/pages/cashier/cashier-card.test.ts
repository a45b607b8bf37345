// 绑卡支付 at the cashier: the bound cards, the add-card sheet and its checks, paying, and the card errors.
import { beforeEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NumberKeyboard } from 'vant';
import CardAddSheet from '@/components/card/CardAddSheet.vue';
import { SESSION_STORAGE_KEY } from '@/stores/session.ts';
import { errorReply, mockApi } from '@/test-utils/fetch-mock.ts';
import { DEMO_CARD, makeAttempt, makeCashier, makeOrder, makeSession, NEW_CARD } from '@/test-utils/fixtures.ts';
import { mountPage, settle } from '@/test-utils/mount-page.ts';

const NO = 'ZF20261122100000123456';
const URL = `/pages/cashier/cashier?order_no=${NO}`;
const CASHIER = `GET /api/orders/${NO}/cashier`;
const CARDS = 'GET /api/cards';
const ADD_CARD = 'POST /api/cards';
const PAY_CARD = `POST /api/orders/${NO}/pay/card`;
const RESULT = { path: '/pages/pay-result/pay-result', query: { order_no: NO } };

const processing = makeOrder({ display: 'processing', last_attempt: makeAttempt() });

beforeEach(() => {
  sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ sign: 'a'.repeat(64), session: makeSession() }));
});

async function chooseCard(wrapper: VueWrapper): Promise<void> {
  await wrapper.get('[data-test="method-card"]').trigger('click');
  await settle();
}

const isChecked = (wrapper: VueWrapper, cardId: string): boolean =>
  wrapper.get(`[data-test="card-${cardId}"]`).find('.van-radio__icon--checked').exists();

async function fill(wrapper: VueWrapper, values: Record<'holder' | 'id-number' | 'no' | 'phone', string>): Promise<void> {
  for (const [field, value] of Object.entries(values)) await wrapper.get(`[data-test="card-${field}"] input`).setValue(value);
}

/** Taps 银行卡支付 and types the payment PIN on the sheet's keyboard (every card payment needs it). */
async function payWithPin(wrapper: VueWrapper, pin = '123456'): Promise<void> {
  await wrapper.get('[data-test="pay-card"]').trigger('click');
  await settle();
  wrapper.findComponent(NumberKeyboard).vm.$emit('update:modelValue', pin);
  await settle();
}

const VALID = { holder: '张三', 'id-number': '11010519491231002X', no: '6214 8300 0007 2222', phone: '13800138000' };

describe('cashier: bound card payment', () => {
  it('lists the bound cards with the newest chosen, pays with the one picked and replaces itself with the result page', async () => {
    const api = mockApi({
      [CASHIER]: { body: makeCashier() },
      [CARDS]: { body: { cards: [NEW_CARD, DEMO_CARD] } },
      [PAY_CARD]: { status: 202, body: { order: processing, attempt: makeAttempt() } },
      [`GET /api/orders/${NO}`]: { body: { order: processing } },
    });
    const { router, wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    expect(wrapper.get(`[data-test="card-${DEMO_CARD.id}"]`).text()).toContain('招商银行 尾号0000');
    expect(wrapper.get(`[data-test="card-${DEMO_CARD.id}"]`).text()).toContain('6214 **** **** 0000');
    expect(isChecked(wrapper, NEW_CARD.id)).toBe(true);

    await wrapper.get(`[data-test="card-${DEMO_CARD.id}"]`).trigger('click');
    expect(isChecked(wrapper, DEMO_CARD.id)).toBe(true);
    expect(wrapper.get('[data-test="pay-card"]').text()).toBe('银行卡支付 ¥246.92');
    await payWithPin(wrapper);

    expect(api.callsTo(PAY_CARD).map((c) => c.body)).toEqual([{ card_id: DEMO_CARD.id, pin: '123456' }]);
    expect(router.replace).toHaveBeenCalledWith(RESULT);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
  });

  it('offers only 添加银行卡 when no card is bound, and the pay button waits for a card', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [] } } });
    const { wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    expect(wrapper.get('[data-test="card-add"]').text()).toContain('暂无绑定的银行卡');
    expect(wrapper.get('[data-test="pay-card"]').text()).toBe('请选择银行卡');
    expect(wrapper.get('[data-test="pay-card"]').attributes('disabled')).toBeDefined();
  });

  it('refuses a bad name, ID number, card number (Luhn) and phone in the add-card form, sending nothing', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [DEMO_CARD] } } });
    const { router, wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await wrapper.get('[data-test="card-add"]').trigger('click');
    await settle();
    expect(router.currentRoute.value.query.add_card).toBe('1');

    await fill(wrapper, { holder: 'Z', 'id-number': '110105194912310021', no: '6214 8300 0007 2223', phone: '1380013800' });
    await wrapper.get('[data-test="card-add-submit"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="card-holder"]').text()).toContain('持卡人姓名应为 2–20 个汉字');
    expect(wrapper.get('[data-test="card-id-number"]').text()).toContain('身份证号不正确');
    expect(wrapper.get('[data-test="card-no"]').text()).toContain('银行卡号有误');
    expect(wrapper.get('[data-test="card-phone"]').text()).toContain('请输入正确的 11 位手机号');
    expect(api.callsTo(ADD_CARD)).toHaveLength(0);

    // Fixing one field clears its message only; a short card number gets the length hint.
    await fill(wrapper, { ...VALID, no: '6214 8300' });
    await wrapper.get('[data-test="card-add-submit"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="card-holder"]').text()).not.toContain('持卡人姓名');
    expect(wrapper.get('[data-test="card-no"]').text()).toContain('银行卡号应为 12–19 位数字');
    expect(api.callsTo(ADD_CARD)).toHaveLength(0);
  });

  it('binds a card, refreshes the list with the new card selected, and keeps no card number on the page', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [DEMO_CARD] } } });
    const { router, wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await wrapper.get('[data-test="card-add"]').trigger('click');
    await settle();
    api.on(ADD_CARD, {
      status: 202,
      body: { binding: { binding_id: 'BIND-1', phone_masked: '138****8000', expires_at: '2026-11-22T10:05:00.000Z' } },
    });
    api.on('POST /api/cards/confirm', { status: 201, body: { card: NEW_CARD, created: true } });
    api.on(CARDS, { body: { cards: [NEW_CARD, DEMO_CARD] } });

    await fill(wrapper, VALID);
    // The number is grouped by 4 as it is typed.
    expect((wrapper.get('[data-test="card-no"] input').element as HTMLInputElement).value).toBe('6214 8300 0007 2222');
    await wrapper.get('[data-test="card-add-submit"]').trigger('click');
    await settle();

    expect(api.callsTo(ADD_CARD).map((c) => c.body)).toEqual([
      { holder_name: '张三', id_number: '11010519491231002X', card_no: '6214830000072222', phone: '13800138000' },
    ]);
    // Step 2: the SMS code sent to the card's phone; nothing is bound before it.
    expect(wrapper.get('[data-test="card-sms-sent"]').text()).toContain('138****8000');
    expect(api.callsTo(CARDS)).toHaveLength(1);
    api.on('POST /api/cards/confirm', errorReply(422, 'ZF0201', { remaining_tries: 2 }));
    await wrapper.get('[data-test="card-sms-code"] input').setValue('000000');
    await wrapper.get('[data-test="card-sms-submit"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="card-add-error"]').text()).toBe('短信验证码错误，还可尝试 2 次');
    api.on('POST /api/cards/confirm', { status: 201, body: { card: NEW_CARD, created: true } });
    await wrapper.get('[data-test="card-sms-code"] input').setValue('123456');
    await wrapper.get('[data-test="card-sms-submit"]').trigger('click');
    await settle();
    expect(api.callsTo('POST /api/cards/confirm').map((c) => c.body)).toEqual([
      { binding_id: 'BIND-1', sms_code: '000000' },
      { binding_id: 'BIND-1', sms_code: '123456' },
    ]);
    expect(api.callsTo(CARDS)).toHaveLength(2);
    expect(api.callsTo(CASHIER)).toHaveLength(2); // the card method's note names the newest card
    expect(isChecked(wrapper, NEW_CARD.id)).toBe(true);
    expect(router.currentRoute.value.query.add_card).toBeUndefined();
    expect(wrapper.html()).not.toMatch(/6214\s?8300\s?0007\s?2222|11010519491231002X/);
    expect(wrapper.get('[data-test="pay-card"]').text()).toBe('银行卡支付 ¥246.92');
  });

  it('closes the add-card sheet with the back button, and reopens it empty on a refresh', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [DEMO_CARD] } } });
    const first = await mountPage(URL);
    await chooseCard(first.wrapper);
    await first.wrapper.get('[data-test="card-add"]').trigger('click');
    await settle();
    expect(first.wrapper.getComponent(CardAddSheet).props('show')).toBe(true);
    first.router.back();
    await settle();
    expect(first.router.currentRoute.value.fullPath).toBe(URL);
    expect(first.wrapper.getComponent(CardAddSheet).props('show')).toBe(false);
    first.wrapper.unmount();

    const { wrapper } = await mountPage(`${URL}&add_card=1`);
    expect(wrapper.get('[data-test="method-card"]').find('.van-radio__icon--checked').exists()).toBe(true);
    expect(wrapper.getComponent(CardAddSheet).props('show')).toBe(true);
    expect((wrapper.get('[data-test="card-no"] input').element as HTMLInputElement).value).toBe('');
  });

  it('shows a declined card (ZF0090) at the cashier, where the user may choose another method', async () => {
    mockApi({
      [CASHIER]: { body: makeCashier() },
      [CARDS]: { body: { cards: [DEMO_CARD] } },
      [PAY_CARD]: errorReply(402, 'ZF0090', { reason: 'declined' }),
    });
    const { router, wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await payWithPin(wrapper);
    expect(wrapper.get('[data-test="pay-error"]').text()).toBe('银行卡支付被拒绝，请更换支付方式');
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
    await wrapper.get('[data-test="method-balance"]').trigger('click');
    expect(wrapper.find('[data-test="pay-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="pay-balance"]').exists()).toBe(true);
  });

  it('shows a card the server will not use (ZF0150)', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [DEMO_CARD] } }, [PAY_CARD]: errorReply(422, 'ZF0150') });
    const { wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await payWithPin(wrapper);
    expect(wrapper.get('[data-test="pay-error"]').text()).toContain('该支付方式暂不可用');
  });

  it('goes to the result page when a card payment of the order is already in progress (ZF0170)', async () => {
    mockApi({
      [CASHIER]: { body: makeCashier() },
      [CARDS]: { body: { cards: [DEMO_CARD] } },
      [PAY_CARD]: errorReply(409, 'ZF0170'),
      [`GET /api/orders/${NO}`]: { body: { order: processing } },
    });
    const { router, wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await payWithPin(wrapper);
    expect(router.replace).toHaveBeenCalledWith(RESULT);
    expect(wrapper.get('[data-test="result-title"]').text()).toBe('处理中');
  });

  it('does not pre-select a card the bank just declined', async () => {
    mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: { body: { cards: [DEMO_CARD, { ...NEW_CARD, last_declined: true }] } } });
    const { wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    expect(isChecked(wrapper, DEMO_CARD.id)).toBe(true);
    expect(wrapper.get(`[data-test="card-${NEW_CARD.id}"]`).text()).toContain('上次支付被拒绝');
  });

  it('asks a user with no PIN to set one (SMS code to the card phone, entered twice) before paying by card', async () => {
    const api = mockApi({
      [CASHIER]: { body: { ...makeCashier(), pin_set: false } },
      [CARDS]: { body: { cards: [DEMO_CARD] } },
      'POST /api/pin/sms': {
        status: 202,
        body: { challenge_id: 'PINSMS-1', phone_masked: '138****8000', expires_at: '2026-11-22T10:05:00.000Z' },
      },
      'PUT /api/pin': { body: { pin_set: true } },
    });
    const { wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    await wrapper.get('[data-test="pay-card"]').trigger('click');
    await settle();
    expect(api.callsTo(PAY_CARD)).toHaveLength(0);
    await wrapper.get('[data-test="pin-setup-send"]').trigger('click');
    await settle();
    expect(api.callsTo('POST /api/pin/sms').map((c) => c.body)).toEqual([{ card_id: DEMO_CARD.id }]);
    await wrapper.get('[data-test="pin-setup-code"] input').setValue('123456');
    await wrapper.get('[data-test="pin-setup-pin"] input').setValue('246810');
    await wrapper.get('[data-test="pin-setup-confirm"] input').setValue('246811');
    await wrapper.get('[data-test="pin-setup-submit"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-test="pin-setup-error"]').text()).toBe('两次输入的支付密码不一致');
    expect(api.callsTo('PUT /api/pin')).toHaveLength(0);
    await wrapper.get('[data-test="pin-setup-confirm"] input').setValue('246810');
    await wrapper.get('[data-test="pin-setup-submit"]').trigger('click');
    await settle();
    expect(api.callsTo('PUT /api/pin').map((c) => c.body)).toEqual([
      { challenge_id: 'PINSMS-1', sms_code: '123456', pin: '246810', pin_confirm: '246810' },
    ]);
    expect(api.callsTo(CASHIER)).toHaveLength(2);
  });

  it('shows the cards failing to load with a retry', async () => {
    const api = mockApi({ [CASHIER]: { body: makeCashier() }, [CARDS]: errorReply(500, 'ZF0130') });
    const { wrapper } = await mountPage(URL);
    await chooseCard(wrapper);
    expect(wrapper.get('[data-test="card-picker"] [data-test="error"]').text()).toContain('系统繁忙');
    api.on(CARDS, { body: { cards: [DEMO_CARD] } });
    await wrapper.get('[data-test="card-picker"] [data-test="retry"]').trigger('click');
    await settle();
    expect(isChecked(wrapper, DEMO_CARD.id)).toBe(true);
  });
});
