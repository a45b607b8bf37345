// The PIN sheet's life at a pay button (balance, bound card): asked first while a 关爱通 trip is pending, opened empty,
// kept open on a wrong PIN (its message under the boxes until the sheet is opened again), closed on any other outcome.
import { computed, ref, watch } from 'vue';
import type { ComputedRef, Ref } from 'vue';
import type { ApiError } from '@/api/api-error.ts';
import type { LoadState } from '@/composables/use-async-data.ts';
import { isWrongPin } from '@/composables/use-cashier-pay.ts';

/** What the pay button's payment looks like from here (the page owns the payment itself). */
export interface PinEntrySource {
  state: () => LoadState;
  error: () => ApiError | null | undefined;
  /** A 关爱通 trip is pending: paying asks first (CashierSupersedeConfirm). */
  pendingTrip: () => boolean | undefined;
}

/** What {@link usePinEntry} gives a pay button. */
export interface PinEntry {
  /** The PIN sheet is open. */
  show: Ref<boolean>;
  /** The pending-trip question is open. */
  asking: Ref<boolean>;
  /** The digits typed so far. */
  pin: Ref<string>;
  /** The wrong-PIN message under the boxes ('' when none). */
  errorText: ComputedRef<string>;
  /** The pay button: the pending-trip question first, else the sheet. */
  start(): void;
  /** Opens the sheet empty; `confirmed` = the user chose to pay beside the pending trip. */
  open(confirmed: boolean): void;
  /** Six digits typed: hands them on with the supersede choice. */
  complete(value: string): void;
}

export function usePinEntry(source: PinEntrySource, onComplete: (pin: string, confirmSupersede: boolean) => void): PinEntry {
  const show = ref(false);
  const asking = ref(false);
  const supersede = ref(false);
  const pin = ref('');
  // A wrong PIN shows under the boxes until the sheet is opened again.
  const stale = ref(false);
  const errorText = computed(() => {
    const error = source.error() ?? null;
    return !stale.value && isWrongPin(error) ? (error?.message ?? '') : '';
  });

  watch(source.state, (state) => {
    if (state === 'error') {
      pin.value = '';
      // Wrong PIN: the user types it again on the same keyboard; anything else is shown by the page.
      if (!isWrongPin(source.error() ?? null)) show.value = false;
    } else if (state === 'done') {
      show.value = false;
    }
  });

  function open(confirmed: boolean): void {
    supersede.value = confirmed;
    pin.value = '';
    stale.value = true;
    show.value = true;
  }

  function start(): void {
    if (source.pendingTrip()) asking.value = true;
    else open(false);
  }

  function complete(value: string): void {
    stale.value = false;
    onComplete(value, supersede.value);
  }

  return { show, asking, pin, errorText, start, open, complete };
}
