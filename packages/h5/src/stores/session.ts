// The user's session, issued for one verified deep link and kept in sessionStorage so refresh and back resume it.
import type { SessionResponse } from '@zf/shared';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** The sessionStorage key of the stored session. */
export const SESSION_STORAGE_KEY = 'zf.session';

/** What is stored: the session and the `sign` of the link that opened it (to recognise the same link on refresh). */
export interface StoredSession {
  sign: string | null;
  session: SessionResponse;
}

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    return parsed.session && typeof parsed.session.token === 'string'
      ? { sign: typeof parsed.sign === 'string' ? parsed.sign : null, session: parsed.session }
      : null;
  } catch {
    // Storage disabled (some webviews) or a corrupt entry: behave as if there were no session.
    return null;
  }
}

function writeStored(value: StoredSession | null): void {
  try {
    if (value) sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Storage disabled: the session still lives in memory for this page load.
  }
}

/** The current session: its token for the API client, and whether a link can reuse it. */
export const useSessionStore = defineStore('session', () => {
  const stored = ref<StoredSession | null>(readStored());

  const session = computed(() => stored.value?.session ?? null);
  const token = computed(() => session.value?.token ?? null);

  /**
   * The stored session if this link may reuse it: not expired, and opened by the same `sign`
   * (a link without `sign` reuses whatever session this tab has).
   */
  function reusableFor(linkSign: string | null, nowMs: number = Date.now()): SessionResponse | null {
    const current = stored.value;
    if (!current) return null;
    const expiresAt = Date.parse(current.session.expires_at);
    if (Number.isFinite(expiresAt) && expiresAt <= nowMs) return null;
    if (linkSign !== null && current.sign !== linkSign) return null;
    return current.session;
  }

  /** Keeps a freshly issued session together with the sign of its link. */
  function save(next: SessionResponse, linkSign: string | null): void {
    stored.value = { sign: linkSign, session: next };
    writeStored(stored.value);
  }

  /** Forgets the session (expired or refused by the server). */
  function clear(): void {
    stored.value = null;
    writeStored(null);
  }

  return { session, token, reusableFor, save, clear };
});
