// Keeps a page's data current while it stays open: a cashier left in another tab (or behind another app) must
// notice that its order was paid or closed elsewhere, rather than count down on a stale copy.
import { onBeforeUnmount, onMounted } from 'vue';
import { usePolling } from './use-polling.ts';

/** How often a visible page re-reads its data, by default. */
export const LIVE_REFRESH_MS = 15_000;

/**
 * Calls `refresh` when the page becomes visible again (`visibilitychange`), and every `everyMs` while it is
 * visible, until the component is unmounted or `refresh` resolves to false.
 */
export function useLiveRefresh(refresh: () => Promise<boolean>, everyMs: number = LIVE_REFRESH_MS): void {
  const polling = usePolling(async () => (document.visibilityState === 'hidden' ? true : refresh()), {
    initialMs: everyMs,
    maxMs: everyMs,
    factor: 1,
  });
  const onVisibility = (): void => {
    if (document.visibilityState === 'visible') void refresh();
  };
  onMounted(() => {
    document.addEventListener('visibilitychange', onVisibility);
    polling.start();
  });
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility);
    polling.stop();
  });
}
