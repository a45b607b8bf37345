// The 关爱通 quota picker: the BFF sends the browser to the cashier with `gat_pick=<token>` when the employee has
// several quota assets; the user picks one before the login runs out (~55 s), and the browser goes on to Guanaitong.
import { GUANAITONG_H5_PARAMS } from '@zf/shared';
import type { GuanaitongAssetView, GuanaitongPickView } from '@zf/shared';
import { computed, ref, shallowRef, watch } from 'vue';
import type { ComputedRef, Ref } from 'vue';
import { useRoute } from 'vue-router';
import { ApiError, toApiError } from '@/api/api-error.ts';
import { api } from '@/api/client.ts';
import { useAsyncData } from '@/composables/use-async-data.ts';
import type { AsyncData, LoadState } from '@/composables/use-async-data.ts';
import { useCountdown } from '@/composables/use-countdown.ts';
import type { Countdown } from '@/composables/use-countdown.ts';
import { queryString, useDropQuery } from '@/composables/use-query-param.ts';
import { navigateTo } from '@/utils/navigate.ts';

/** What {@link useGuanaitongPick} gives the picker sheet. */
export interface GuanaitongPick extends AsyncData<GuanaitongPickView> {
  /** The sheet is open (the URL carried a pick token and the user has not closed it). */
  show: Ref<boolean>;
  countdown: Countdown;
  selected: Ref<string | null>;
  /** Paying from the selected asset, or starting a new trip. */
  submitState: Ref<LoadState>;
  /**
   * Why the token can no longer pay: the BFF refused it or a payment with it (a refused payment spends it too), or
   * the countdown reached zero (shown as ZF0090 authorization_expired). Null while it can.
   */
  failure: ComputedRef<ApiError | null>;
  /** Starting a new trip may help (a ZF0090: expired login, short balance, cancelled), unlike a closed order. */
  canRestart: ComputedRef<boolean>;
  canPay: (asset: GuanaitongAssetView) => boolean;
  /** Loads the assets; does nothing without a token. */
  open: () => Promise<void>;
  pay: () => Promise<void>;
  /** Starts a new quota payment (a new login at Guanaitong). */
  restart: () => Promise<void>;
  close: () => void;
}

/**
 * The picker of the cashier of `orderNo`. The token is read from the URL once and removed from it (router.replace)
 * as soon as it is used, refused or expired, so neither a refresh nor back replays a spent login. The countdown runs
 * on the server's clock when `serverOffsetMs` (server − local time) is known.
 */
export function useGuanaitongPick(orderNo: Ref<string>, serverOffsetMs: Ref<number | null>): GuanaitongPick {
  const route = useRoute();
  const drop = useDropQuery();
  const dropToken = () => drop(GUANAITONG_H5_PARAMS.pick);
  const token = queryString(route.query, GUANAITONG_H5_PARAMS.pick);
  const show = ref(token !== '');
  const loaded = useAsyncData(() => api.getGuanaitongPick(token));
  const countdown = useCountdown();
  const selected = ref<string | null>(null);
  const submitState = ref<LoadState>('idle');
  const submitError = shallowRef<ApiError | null>(null);

  const canPay = (asset: GuanaitongAssetView): boolean => asset.balance_fen >= (loaded.data.value?.amount_fen ?? Infinity);
  const failure = computed(
    () =>
      submitError.value ??
      loaded.error.value ??
      (countdown.expired.value ? new ApiError('ZF0090', 0, { reason: 'authorization_expired' }) : null),
  );
  const canRestart = computed(() => failure.value?.code === 'ZF0090');

  watch([loaded.data, serverOffsetMs], ([view, offset]) => {
    if (view) countdown.start(view.expires_at, new Date(Date.now() + (offset ?? 0)).toISOString());
  });
  watch(loaded.data, (view) => {
    selected.value = view?.assets.find(canPay)?.account_openid ?? null;
  });
  watch(failure, (now) => {
    if (now) void dropToken();
  });

  async function open(): Promise<void> {
    if (!token) return;
    await loaded.run();
  }

  async function leaveFor(next: () => Promise<string>): Promise<void> {
    if (submitState.value === 'loading') return;
    // A previous refusal stays in `submitError` meanwhile, so the spent assets do not reappear.
    submitState.value = 'loading';
    try {
      const url = await next();
      await dropToken();
      navigateTo(url);
    } catch (caught) {
      // The login behind the token is spent by a refused payment too: `failure` now hides the assets for good.
      submitError.value = toApiError(caught);
      submitState.value = 'error';
    }
  }

  async function pay(): Promise<void> {
    const openid = selected.value;
    if (!openid || failure.value) return;
    await leaveFor(async () => (await api.payGuanaitongPick(token, openid)).cashier_url);
  }

  async function restart(): Promise<void> {
    await leaveFor(async () => (await api.startGuanaitong(loaded.data.value?.order_no ?? orderNo.value, 2)).login_url);
  }

  function close(): void {
    show.value = false;
    countdown.stop();
    void dropToken();
  }

  return { ...loaded, show, countdown, selected, submitState, failure, canRestart, canPay, open, pay, restart, close };
}
