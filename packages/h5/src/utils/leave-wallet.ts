// Leaving the wallet for the partner app (完成 / 返回商户): to the session's return_url, or by closing the webview,
// or, where a webview ignores window.close(), by going back past the wallet's first page.
import { showToast } from 'vant';

const ENTRY_KEY = 'zf.entry.position';

/** How long to wait for window.close() to take effect before falling back to history. */
export const CLOSE_FALLBACK_MS = 300;

/** The history position (vue-router's `history.state.position`) of the page where the link was verified. */
export function markWalletEntry(position: unknown): void {
  if (typeof position !== 'number') return;
  try {
    sessionStorage.setItem(ENTRY_KEY, String(position));
  } catch {
    // Storage disabled: leaving falls back to closing the page only.
  }
}

function entryPosition(): number | null {
  try {
    const raw = sessionStorage.getItem(ENTRY_KEY);
    const value = raw === null ? NaN : Number(raw);
    return Number.isInteger(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/**
 * Leaves the wallet. With a `returnUrl` (verified by the BFF against the partner's allow-list), goes there with
 * `location.replace`, so back from the partner's page does not return to a finished wallet. Without one, asks the
 * webview to close; if the page is still shown shortly after, goes back to the page before the wallet's entry
 * (`currentPosition` is the current `history.state.position`), and if there is none, tells the user how to close.
 */
export function leaveWallet(returnUrl: string | null, currentPosition: unknown): void {
  if (returnUrl) {
    window.location.replace(returnUrl);
    return;
  }
  window.close();
  setTimeout(() => {
    if (document.visibilityState === 'hidden') return;
    const entry = entryPosition();
    if (entry !== null && entry > 0 && typeof currentPosition === 'number' && currentPosition >= entry) {
      window.history.go(entry - currentPosition - 1);
    } else {
      showToast({ message: '请点击左上角关闭按钮返回', position: 'bottom' });
    }
  }, CLOSE_FALLBACK_MS);
}
