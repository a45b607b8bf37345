// A message the BFF's redirects put on a page's URL (`error=<ZF code>[&reason=]`): shown once, then removed from it.
import { errorMessage, GUANAITONG_H5_PARAMS } from '@zf/shared';
import { onMounted, ref } from 'vue';
import type { Ref } from 'vue';
import { useRoute } from 'vue-router';
import { queryString, useDropQuery } from './use-query-param.ts';

/** What {@link useQueryNotice} read from the URL. */
export interface QueryNotice {
  /** The Chinese text of the code (and reason); '' when the URL carried none. The page may clear it. */
  message: Ref<string>;
  /** The code and reason as they were in the URL ('' when absent). */
  code: string;
  reason: string;
}

/**
 * Reads `error` and `reason` from the current URL once (e.g. a refused Guanaitong payment sends the browser to
 * `#/pages/cashier/cashier?order_no=…&error=ZF0090&reason=insufficient_balance`) and removes them with
 * `router.replace`, so a refresh or a back navigation does not show the message again.
 */
export function useQueryNotice(): QueryNotice {
  const route = useRoute();
  const drop = useDropQuery();
  const code = queryString(route.query, GUANAITONG_H5_PARAMS.error);
  const reason = queryString(route.query, GUANAITONG_H5_PARAMS.reason);
  const message = ref(code ? errorMessage(code, reason || undefined) : '');
  onMounted(() => drop(GUANAITONG_H5_PARAMS.error, GUANAITONG_H5_PARAMS.reason));
  return { message, code, reason };
}
