// The title of the current page: its route's, unless the page says otherwise (an error page is not 选择保单).
import { computed, onScopeDispose, ref, watchEffect } from 'vue';
import type { ComputedRef } from 'vue';
import { useRoute } from 'vue-router';

const override = ref<string | null>(null);
const APP_NAME = '商保直付通';

/** The title to show in the nav bar: a page's override, else the route's `meta.title`, else the app's name. */
export function usePageTitle(): ComputedRef<string> {
  const route = useRoute();
  const title = computed(() => override.value ?? route.meta.title ?? APP_NAME);
  watchEffect(() => {
    document.title = title.value === APP_NAME ? APP_NAME : `${title.value} - ${APP_NAME}`;
  });
  return title;
}

/** While the calling component lives, `source()` (when not null) replaces the route's title. */
export function useTitleOverride(source: () => string | null): void {
  const stop = watchEffect(() => {
    override.value = source();
  });
  onScopeDispose(() => {
    stop();
    override.value = null;
  });
}
