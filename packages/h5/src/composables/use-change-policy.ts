// 更换保单 at the cashier: ask, close the open order (`POST /orders/:no/close`), then back to the policy list of the
// same link (its session is kept), replacing the cashier so back does not return to a closed order.
import { ref } from 'vue';
import type { Ref } from 'vue';
import { useRouter } from 'vue-router';
import type { ApiError } from '@/api/api-error.ts';
import { toApiError } from '@/api/api-error.ts';
import { api } from '@/api/client.ts';
import { PAGES } from '@/router.ts';

/** The dialog state and its `before-close` (closes the order on confirm; the dialog stays while it runs). */
export function useChangePolicy(orderNo: Ref<string>, onError: (error: ApiError) => void) {
  const router = useRouter();
  const asking = ref(false);

  async function beforeClose(action: string): Promise<boolean> {
    if (action !== 'confirm') return true;
    try {
      await api.closeOrder(orderNo.value);
      await router.replace(PAGES.validPolicy);
    } catch (caught) {
      onError(toApiError(caught));
    }
    return true;
  }

  return { asking, ask: () => void (asking.value = true), beforeClose };
}
