// Admin pages: load with an explicit state, send the operator to the sign-in page when the session is gone, and run
// actions with a toast for their outcome.
import { showFailToast, showSuccessToast } from 'vant';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import { onMounted } from 'vue';
import { useRouter } from 'vue-router';
import { adminToken } from '@/api/admin-client.ts';
import { toApiError } from '@/api/api-error.ts';
import { useAsyncData } from './use-async-data.ts';

export const ADMIN_LOGIN = '/pages/admin/login';

export function useAdminPage<T>(loader: () => Promise<T>) {
  const router = useRouter();
  const data = useAsyncData(loader);
  const toLogin = () => {
    adminToken.clear();
    void router.replace({ path: ADMIN_LOGIN, query: { next: router.currentRoute.value.fullPath } });
  };
  const load = async () => {
    if (!adminToken.get()) return toLogin();
    await data.run();
    if (data.error.value?.code === 'ZF0160') toLogin();
  };
  /** Runs an action; shows `done` or the error's Chinese text; reloads the page's data after a success. */
  const act = async <R>(fn: () => Promise<R>, done: string): Promise<R | null> => {
    try {
      const r = await fn();
      showSuccessToast(done);
      await data.refresh();
      return r;
    } catch (err) {
      const e = toApiError(err);
      if (e.code === 'ZF0160') toLogin();
      else showFailToast(e.message);
      return null;
    }
  };
  onMounted(load);
  return { ...data, load, act };
}
