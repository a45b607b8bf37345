// One user action that calls the API (a payment, binding a card): an explicit state instead of a `submitting`
// boolean, one call at a time, and the failure as a typed ApiError.
import { ref, shallowRef } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import { toApiError } from '@/api/api-error.ts';
import type { ApiError } from '@/api/api-error.ts';
import type { LoadState } from './use-async-data.ts';

/** The handle of {@link usePayAction}. */
export interface PayAction<A extends unknown[]> {
  /** 'loading' while the call runs; 'done' once it succeeded (the page usually moves on); 'error' after a failure. */
  state: Ref<LoadState>;
  /** The last failure; null while idle, loading or done. */
  error: ShallowRef<ApiError | null>;
  /** Runs the action unless one is running; resolves to true when it succeeded. Never rejects. */
  submit: (...args: A) => Promise<boolean>;
  /** Back to 'idle' (e.g. a page restored from the back-forward cache with a button still spinning). */
  reset: () => void;
}

/**
 * Wraps `action` with an explicit state. A second `submit` while one runs is ignored (a double tap pays once);
 * a failure is kept in `error` and handed to `onError` (show it, reload, move on), never thrown to the template.
 */
export function usePayAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
  onError: (error: ApiError) => void | Promise<void> = () => undefined,
): PayAction<A> {
  const state = ref<LoadState>('idle');
  const error = shallowRef<ApiError | null>(null);

  async function submit(...args: A): Promise<boolean> {
    if (state.value === 'loading') return false;
    state.value = 'loading';
    error.value = null;
    try {
      await action(...args);
      state.value = 'done';
      return true;
    } catch (caught) {
      error.value = toApiError(caught);
      state.value = 'error';
      await onError(error.value);
      return false;
    }
  }

  function reset(): void {
    state.value = 'idle';
    error.value = null;
  }

  return { state, error, submit, reset };
}
