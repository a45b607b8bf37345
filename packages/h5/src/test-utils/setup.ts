// Per-file test setup: unmount pages between tests and let Vant's deferred measurements run before teardown.
import { enableAutoUnmount } from '@vue/test-utils';
import { afterAll, afterEach } from 'vitest';

enableAutoUnmount(afterEach);

afterEach(() => {
  sessionStorage.clear();
  document.body.innerHTML = '';
});

// Vant measures fixed bars with a safe area (NavBar placeholder) 100, 200 and 300 ms after mounting; let those
// timers fire while `window` still exists.
afterAll(() => new Promise<void>((resolve) => setTimeout(resolve, 400)));
