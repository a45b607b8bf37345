// Reads one query parameter of the current route as a string: pages keep their state in the URL.
import { computed } from 'vue';
import type { ComputedRef } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { LocationQuery } from 'vue-router';

/** The first value of a query parameter as a string ('' when absent or valueless). */
export function queryString(query: LocationQuery, name: string): string {
  const value = query[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** All query parameters as strings (first value of repeated ones, '' for valueless ones). */
export function queryStrings(query: LocationQuery): Record<string, string> {
  return Object.fromEntries(Object.keys(query).map((name) => [name, queryString(query, name)]));
}

/** A query parameter of the current route, reactive. */
export function useQueryParam(name: string): ComputedRef<string> {
  const route = useRoute();
  return computed(() => queryString(route.query, name));
}

/**
 * A function that removes query parameters from the current URL with `router.replace` (no new history entry),
 * for one-time values the BFF's redirects put there (a pick token, an error code): a refresh or back must not
 * replay them. Does nothing when none of them is present.
 */
export function useDropQuery(): (...names: string[]) => Promise<void> {
  const route = useRoute();
  const router = useRouter();
  return async (...names) => {
    if (!names.some((name) => name in route.query)) return;
    const query = { ...route.query };
    for (const name of names) delete query[name];
    await router.replace({ path: route.path, query });
  };
}

/**
 * A `name=1` flag (or `name=<value>`, e.g. which record a sheet shows) in the URL for an overlay of the page (a
 * sheet), so the webview's back button closes the overlay instead of leaving the page, and a refresh reopens it.
 * `open` pushes the flag; `close` goes back when `open` pushed it, and otherwise (reached by a refresh or a link)
 * replaces it away.
 */
export function useRouteFlag(name: string): {
  on: ComputedRef<boolean>;
  open: (value?: string) => Promise<void>;
  close: () => Promise<void>;
} {
  const route = useRoute();
  const router = useRouter();
  const drop = useDropQuery();
  const on = computed(() => queryString(route.query, name) !== '');
  let pushed = false;

  async function open(value = '1'): Promise<void> {
    if (on.value) return;
    pushed = true;
    await router.push({ path: route.path, query: { ...route.query, [name]: value } });
  }

  async function close(): Promise<void> {
    if (!on.value) return;
    if (pushed) {
      pushed = false;
      router.back();
    } else {
      await drop(name);
    }
  }

  return { on, open, close };
}
