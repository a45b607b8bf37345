// An admin list page: its filters, its page number and its load state in one place. A filter change goes back to
// page 1 and loads once; a page change loads that page. Render it with components/admin/AdminList.vue.
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
  return { ...list, filters, page };
}
