// The entry flow: reuse or open the session for the deep link, then show policies or jump to the order's page.
import type { EntryNext, PolicyList, SessionResponse } from '@zf/shared';
import { useRoute, useRouter } from 'vue-router';
import type { LocationQuery, Router } from 'vue-router';
import { ApiError, BAD_LINK_MESSAGE } from '@/api/api-error.ts';
import { api } from '@/api/client.ts';
import { prefetchCashier } from '@/api/prefetch.ts';
import { useAsyncData } from '@/composables/use-async-data.ts';
import type { AsyncData } from '@/composables/use-async-data.ts';
import { queryStrings } from '@/composables/use-query-param.ts';
import { PAGES, toCashier, toPayResult } from '@/router.ts';
import { useSessionStore } from '@/stores/session.ts';
import { markWalletEntry } from '@/utils/leave-wallet.ts';

/** The order a link already has, when the user came back to the entry page rather than opening the link. */
export type EntryOrder = Exclude<EntryNext, { page: 'policies' }>;

/**
 * What the entry page ends up showing: the policy list (with the link's order when the user came back to it), or
 * nothing because it moved on to another page.
 */
export type EntryResult =
  { kind: 'policies'; session: SessionResponse; list: PolicyList; order: EntryOrder | null } | { kind: 'redirected' };

/** The entry's load, for the route whose query `query` reads (its deep link's parameters). */
function entryLoader(router: Router, query: () => LocationQuery): () => Promise<EntryResult> {
  const sessions = useSessionStore();

  async function openSession(forceVerify: boolean): Promise<{ session: SessionResponse; reused: boolean }> {
    const params = queryStrings(query());
    const sign = params.sign || null;
    const stored = forceVerify ? null : sessions.reusableFor(sign);
    if (stored) return { session: stored, reused: true };
    // Another link (or none): whatever this tab held belongs to it, and must not outlive a failed verification.
    sessions.clear();
    let session: SessionResponse;
    try {
      session = await api.createSession(params);
    } catch (error) {
      // A malformed link is the partner's to fix: the user only needs to know it does not work (and the code).
      throw error instanceof ApiError && error.code === 'ZF0010' ? error.withMessage(BAD_LINK_MESSAGE) : error;
    }
    sessions.save(session, sign);
    // 完成 without a return_url goes back past this page, to whatever opened the wallet.
    markWalletEntry((router.options.history.state as { position?: unknown } | null)?.position);
    return { session, reused: false };
  }

  async function listPolicies(session: SessionResponse): Promise<PolicyList> {
    try {
      return await api.listPolicies();
    } catch (error) {
      // "No valid policy" is an answer, not a failure: the page shows it as its empty state.
      if (error instanceof ApiError && error.code === 'ZF0040') return { amount_fen: session.amount_fen, policies: [] };
      throw error;
    }
  }

  function cameBack(): boolean {
    const state = router.options.history.state as { forward?: unknown } | null;
    return typeof state?.forward === 'string';
  }

  async function load(forceVerify = false): Promise<EntryResult> {
    const { session, reused } = await openSession(forceVerify);
    let next = session.next;
    if (reused) {
      // The stored answer is from the first entry; the order may have been created or paid since.
      try {
        next = (await api.entry()).next;
      } catch (error) {
        if (query().sign && error instanceof ApiError && error.code === 'ZF0020') return load(true);
        throw error;
      }
    }
    const order = next.page === 'policies' ? null : next;
    if (order && !cameBack()) {
      // The cashier's read goes out now, beside the cashier's chunk, rather than once the page has mounted.
      if (order.page === 'cashier') prefetchCashier(order.order_no);
      // replace: going back must leave the wallet, not re-run the entry (started at boot: after the first navigation).
      await router.isReady();
      await router.replace(order.page === 'cashier' ? toCashier(order.order_no) : toPayResult(order.order_no));
      return { kind: 'redirected' };
    }
    try {
      return { kind: 'policies', session, list: await listPolicies(session), order };
    } catch (error) {
      // A reused session the server no longer accepts: verify the link once more (works while it is fresh).
      if (reused && error instanceof ApiError && error.code === 'ZF0020' && query().sign) return load(true);
      if (error instanceof ApiError && error.code === 'ZF0020') sessions.clear();
      throw error;
    }
  }

  return () => load();
}

/** The entry's load started at boot, for the page to take when it mounts. */
let early: { fullPath: string; result: Promise<EntryResult> } | null = null;

/**
 * When the app opens on the entry page, starts its load (the session exchange) at once, while the page's chunk is
 * evaluated and the app mounts, instead of from the mounted page. Needs the router and Pinia installed.
 */
export function startEntryEarly(router: Router): void {
  const to = router.resolve(router.options.history.location);
  if (to.path !== PAGES.validPolicy) return;
  const result = entryLoader(router, () => to.query)();
  // Taken by the page when it mounts; a failure is its to show, not an unhandled rejection meanwhile.
  result.catch(() => {});
  early = { fullPath: to.fullPath, result };
}

/**
 * Loads the entry page. A refresh (same `sign`) or a link without `sign` reuses the session kept in
 * sessionStorage, since the link's timestamp is only valid for ±5 minutes; any other link is verified anew.
 * A link whose order exists goes on to its cashier or result, unless the user came back here with the back button
 * (history has a forward entry): then bouncing forward again would trap them, so the list shows with the order.
 * The first run takes the load {@link startEntryEarly} started for this same location, if any.
 */
export function useEntry(): AsyncData<EntryResult> {
  const route = useRoute();
  const load = entryLoader(useRouter(), () => route.query);
  return useAsyncData(() => {
    const started = early;
    early = null;
    return started && started.fullPath === route.fullPath ? started.result : load();
  });
}
