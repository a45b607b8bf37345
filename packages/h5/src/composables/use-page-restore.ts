// Runs a callback when the browser shows this page again from its back-forward cache (the webview's back button
// after a full navigation to a provider's pages): the page's state is as it was left, not as it is now.
import { onBeforeUnmount, onMounted } from 'vue';

/** Calls `restored` on `pageshow` events with `persisted` (a back-forward cache restore), while mounted. */
export function usePageRestore(restored: () => void): void {
  const onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted) restored();
  };
  onMounted(() => window.addEventListener('pageshow', onPageShow));
  onBeforeUnmount(() => window.removeEventListener('pageshow', onPageShow));
}
