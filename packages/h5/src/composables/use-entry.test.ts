// The entry's load started at boot (main.ts): the session exchange goes out before the app mounts, once.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import App from '@/App.vue';
import { startEntryEarly } from '@/composables/use-entry.ts';
import { createAppRouter } from '@/router.ts';
import { deferred, mockApi } from '@/test-utils/fetch-mock.ts';
import type { Reply } from '@/test-utils/fetch-mock.ts';
import { makeCashier, makeSession, POLICY_LIST } from '@/test-utils/fixtures.ts';
import { settle } from '@/test-utils/mount-page.ts';

const LINK = '/pages/valid-policy/valid-policy?refer_no=REF-1001&partner_id=demo&timestamp=1795312800&sign=' + 'a'.repeat(64);

function boot(url: string) {
  const history = createMemoryHistory();
  history.replace(url);
  const pinia = createPinia();
  setActivePinia(pinia);
  const router = createAppRouter(history);
  return { router, pinia };
}

beforeEach(async () => {
  sessionStorage.clear();
  // Lazy pages transformed once, so a navigation does not wait on Vite here.
  await Promise.all([import('@/pages/valid-policy/valid-policy.vue'), import('@/pages/cashier/cashier.vue')]);
});

describe('startEntryEarly', () => {
  it('sends the session exchange before the app mounts, and the mounted page uses its answer', async () => {
    const session = deferred<Reply>();
    const api = mockApi({ 'POST /api/session': () => session.promise, 'GET /api/policies': { body: POLICY_LIST } });
    const { router, pinia } = boot(LINK);
    startEntryEarly(router);
    await Promise.resolve();
    expect(api.callsTo('POST /api/session')).toHaveLength(1);
    expect(api.callsTo('POST /api/session')[0]?.body).toMatchObject({ params: { refer_no: 'REF-1001', sign: 'a'.repeat(64) } });

    await router.push(LINK);
    await router.isReady();
    const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
    await settle();
    expect(wrapper.find('[data-test="loading"]').exists()).toBe(true);
    session.resolve({ body: makeSession() });
    await settle();
    expect(wrapper.findAll('[data-test="policy-card"]')).toHaveLength(2);
    expect(api.callsTo('POST /api/session')).toHaveLength(1);
    wrapper.unmount();
  });

  it('goes on to the cashier after the first navigation, whichever finishes first', async () => {
    const api = mockApi({
      'POST /api/session': { body: makeSession({ page: 'cashier', order_no: 'ZF20261122100000123456' }) },
      'GET /api/orders/ZF20261122100000123456/cashier': { body: makeCashier() },
    });
    const { router, pinia } = boot(LINK);
    startEntryEarly(router);
    await settle();
    // The session answered before the router's first navigation: nothing moved yet.
    expect(router.currentRoute.value.path).toBe('/');
    await router.push(LINK);
    const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
    await settle();
    expect(router.currentRoute.value.path).toBe('/pages/cashier/cashier');
    expect(wrapper.get('[data-test="self-pay"]').text()).toBe('¥246.92');
    expect(api.callsTo('POST /api/session')).toHaveLength(1);
    expect(api.callsTo('GET /api/orders/ZF20261122100000123456/cashier')).toHaveLength(1);
    wrapper.unmount();
  });

  it('starts nothing when the app opens on another page', async () => {
    const api = mockApi({});
    const { router } = boot('/pages/orders/orders');
    startEntryEarly(router);
    await settle();
    expect(api.calls).toHaveLength(0);
  });
});
