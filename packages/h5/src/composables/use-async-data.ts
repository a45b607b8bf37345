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
  /**
   * A background re-read (a poll, the tab shown again): like `refresh`, but a failure keeps the data and the state
   * as they were, since the user did not ask for it and the next action will meet the error anyway.
   */
  revalidate: () => Promise<T | null>;
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

  async function load(silent: boolean, background = false): Promise<T | null> {
    const id = ++latest;
    if (!silent || state.value !== 'done') state.value = 'loading';
    if (!background) error.value = null;
    try {
      const value = await loader();
      if (id === latest) {
        data.value = value;
        state.value = 'done';
      }
      return value;
    } catch (caught) {
      if (background) return null;
      if (id === latest) {
        error.value = toApiError(caught);
        state.value = 'error';
      }
      return null;
    }
  }

  async function revalidate(): Promise<T | null> {
    if (state.value !== 'done') return null;
    return load(true, true);
  }

  return { state, data, error, run: () => load(false), refresh: () => load(true), revalidate };
}

/** A missing or empty query parameter, reported like the server would (ZF0010). */
export function missingParam(): ApiError {
  return new ApiError('ZF0010', 0);
}
