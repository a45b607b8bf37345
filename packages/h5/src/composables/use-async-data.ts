// An async load with an explicit state ('idle' | 'loading' | 'done' | 'error') and a typed ApiError.
import { ref, shallowRef } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import { ApiError, toApiError } from '@/api/api-error.ts';

/** Where a page's data stands. */
export type LoadState = 'idle' | 'loading' | 'done' | 'error';

/** The reactive result of {@link useAsyncData}. */
export interface AsyncData<T> {
  state: Ref<LoadState>;
  data: ShallowRef<T | null>;
  error: ShallowRef<ApiError | null>;
  /** Runs the loader; resolves to its value, or null when it failed (the error is in `error`). */
  run: () => Promise<T | null>;
  /** Runs the loader again without showing the loading state (the current data stays on screen meanwhile). */
  refresh: () => Promise<T | null>;
}

/**
 * Wraps a loader with an explicit state. Only the latest run writes its result, so a slow
 * first load cannot overwrite a retry.
 */
export function useAsyncData<T>(loader: () => Promise<T>): AsyncData<T> {
  const state = ref<LoadState>('idle');
  const data = shallowRef<T | null>(null);
  const error = shallowRef<ApiError | null>(null);
  let latest = 0;

  async function load(silent: boolean): Promise<T | null> {
    const id = ++latest;
    if (!silent || state.value !== 'done') state.value = 'loading';
    error.value = null;
    try {
      const value = await loader();
      if (id === latest) {
        data.value = value;
        state.value = 'done';
      }
      return value;
    } catch (caught) {
      if (id === latest) {
        error.value = toApiError(caught);
        state.value = 'error';
      }
      return null;
    }
  }

  return { state, data, error, run: () => load(false), refresh: () => load(true) };
}

/** A missing or empty query parameter, reported like the server would (ZF0010). */
export function missingParam(): ApiError {
  return new ApiError('ZF0010', 0);
}
