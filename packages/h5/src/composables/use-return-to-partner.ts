// The 完成 / 返回商户 action of result and error pages: back to the partner app, as the session allows.
import { computed } from 'vue';
import type { ComputedRef } from 'vue';
import { useRouter } from 'vue-router';
import { useSessionStore } from '@/stores/session.ts';
import { leaveWallet } from '@/utils/leave-wallet.ts';

/** What {@link useReturnToPartner} gives a page. */
export interface ReturnToPartner {
  /** The verified return_url of the session (BFF: `SessionResponse.return_url`); null when the link had none. */
  returnUrl: ComputedRef<string | null>;
  /** 返回商户 when there is a return_url, else 完成 (the webview closes). */
  label: ComputedRef<string>;
  /**
   * Leaves. `fromPosition` is the history position to count back from (default: the current entry's); a page that
   * leaves while a back navigation is being undone passes its own, since the history then points one entry back.
   */
  leave: (fromPosition?: number) => void;
}

/** Leaves the wallet for the partner: to the session's return_url, else by closing the webview. */
export function useReturnToPartner(): ReturnToPartner {
  const sessions = useSessionStore();
  const router = useRouter();
  const returnUrl = computed(() => sessions.session?.return_url ?? null);
  const label = computed(() => (returnUrl.value ? '返回商户' : '完成'));
  function leave(fromPosition?: number): void {
    const state = router.options.history.state as { position?: unknown } | null;
    leaveWallet(returnUrl.value, fromPosition ?? state?.position);
  }
  return { returnUrl, label, leave };
}
