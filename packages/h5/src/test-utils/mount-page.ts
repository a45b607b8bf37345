// Mounts the whole app at a route, with a fresh Pinia and an in-memory router, for page tests.
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { Router } from 'vue-router';
import App from '@/App.vue';
import { createAppRouter, routes } from '@/router.ts';

/** The mounted app and its router. */
export interface MountedPage {
  wrapper: VueWrapper;
  router: Router;
}

/**
 * Mounts the app at `url` (e.g. `/pages/cashier/cashier?order_no=X`) and waits for the first data.
 * The router's `replace` and `push` are spied on after the initial navigation, so tests see only the page's own;
 * `setup` may add guards to the router first.
 */
export async function mountPage(url: string, setup?: (router: Router) => void): Promise<MountedPage> {
  await preloadPages();
  const pinia = createPinia();
  setActivePinia(pinia);
  const router = createAppRouter(createMemoryHistory());
  setup?.(router);
  await router.push(url);
  await router.isReady();
  vi.spyOn(router, 'replace');
  vi.spyOn(router, 'push');
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await settle();
  return { wrapper, router };
}

/** Lets pending fetches, lazy route components and re-renders finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await flushPromises();
}

/** Loads every lazy page once, so navigations in tests do not wait on module transforms. */
async function preloadPages(): Promise<void> {
  await Promise.all(routes.map((route) => (typeof route.component === 'function' ? (route.component as () => Promise<unknown>)() : null)));
}
