// The cashier's data: the order and its methods, the countdown on the server's clock, and whether it is closed.
import type { CashierView } from '@zf/shared';
import { computed, ref, watch } from 'vue';
import type { ComputedRef, Ref } from 'vue';
import { api } from '@/api/client.ts';
import { takePrefetchedCashier } from '@/api/prefetch.ts';
import { methodOptions } from '@/components/cashier/cashier-methods.ts';
import type { MethodOption } from '@/components/cashier/cashier-methods.ts';
import { missingParam, useAsyncData } from '@/composables/use-async-data.ts';
import type { AsyncData } from '@/composables/use-async-data.ts';
import { useCountdown } from '@/composables/use-countdown.ts';
import { useLiveRefresh } from '@/composables/use-live-refresh.ts';
import type { Countdown } from '@/composables/use-countdown.ts';

/** What {@link useCashier} gives the cashier page. */
export interface Cashier extends AsyncData<CashierView> {
  countdown: Countdown;
  /** The order can no longer be paid here: closed by the server, or its deadline passed. */
  closed: ComputedRef<boolean>;
  options: ComputedRef<MethodOption[]>;
  /** Server time − local time when the cashier was read (null before): for other countdowns on the server's clock. */
  serverOffsetMs: Ref<number | null>;
}

/**
 * Loads the cashier of `orderNo` and counts down to its deadline. While open it reads the cashier again when the
 * page becomes visible and every 15 s, so an order paid or closed in another tab stops the countdown here.
 */
export function useCashier(orderNo: Ref<string>): Cashier {
  // The first read may be on its way already (the entry page started it when it sent the user here).
  const loaded = useAsyncData(() =>
    orderNo.value ? (takePrefetchedCashier(orderNo.value) ?? api.getCashier(orderNo.value)) : Promise.reject(missingParam()),
  );
  const countdown = useCountdown();
  const serverOffsetMs = ref<number | null>(null);

  watch(loaded.data, (view) => {
    if (view) countdown.start(view.order.deadline_at, view.server_time);
    else countdown.stop();
    const server = view ? Date.parse(view.server_time) : NaN;
    if (Number.isFinite(server)) serverOffsetMs.value = server - Date.now();
  });

  const closed = computed(() => {
    const order = loaded.data.value?.order;
    return Boolean(order && (order.status === 'closed' || order.display === 'closed' || countdown.expired.value));
  });
  const options = computed(() => {
    const view = loaded.data.value;
    return view ? methodOptions(view.methods, view.pin_locked, view.pin_locked_until, view.order.self_pay_fen) : [];
  });

  // Only while the order can still be paid here: a closed or failed read has nothing left to follow.
  useLiveRefresh(async () => {
    if (!closed.value) await loaded.revalidate();
    return !closed.value;
  });

  return { ...loaded, countdown, closed, options, serverOffsetMs };
}
