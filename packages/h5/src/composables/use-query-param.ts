// Reads one query parameter of the current route as a string: pages keep their state in the URL.
import { computed } from 'vue';
import type { ComputedRef } from 'vue';
import { useRoute } from 'vue-router';
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
