// An admin list page: its filters, its page number and its load state in one place. A filter change goes back to
// page 1 and loads once; a page change loads that page. Render it with components/admin/AdminList.vue, bound to
// `listProps` (`<AdminList v-bind="listProps" …>`), and the filters with components/admin/AdminFilterBar.vue.
import type { AdminPage } from '@zf/shared';
import { reactive, ref, watch, type UnwrapNestedRefs } from 'vue';
import { useAdminPage } from './use-admin-page.ts';

export function useAdminList<T, F extends object>(
  initial: F,
  loader: (filters: UnwrapNestedRefs<F>, page: number) => Promise<AdminPage<T>>,
) {
  const filters = reactive({ ...initial });
  const page = ref(1);
  const list = useAdminPage(() => loader(filters, page.value));
  watch(
    () => JSON.stringify(filters),
    () => {
      if (page.value === 1) void list.load();
      else page.value = 1;
    },
  );
  watch(page, () => void list.load());
  /** What AdminList takes from the list: its load state, the page shown (v-model:page) and the retry. */
  const listProps = reactive({
    state: list.state,
    error: list.error,
    data: list.data,
    page,
    'onUpdate:page': (p: number) => (page.value = p),
    onRetry: () => void list.load(),
  });
  /** What AdminFilterBar takes: the filters and how one is set. */
  const filterProps = {
    filters: filters as unknown as Record<string, string>,
    onSet: (key: string, value: string) => void ((filters as unknown as Record<string, string>)[key] = value),
  };
  return { ...list, filters, page, listProps, filterProps };
}
