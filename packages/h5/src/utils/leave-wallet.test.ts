// Leaving the wallet: the return_url by location.replace, else window.close(), else back past the wallet's entry.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_FALLBACK_MS, leaveWallet, markWalletEntry } from './leave-wallet.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('leaveWallet', () => {
  it('goes to the return_url with replace, without closing', () => {
    const replace = vi.spyOn(window.location, 'replace').mockImplementation(() => undefined);
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    leaveWallet('http://localhost:9000/done', 5);
    expect(replace).toHaveBeenCalledWith('http://localhost:9000/done');
    expect(close).not.toHaveBeenCalled();
  });

  it('closes the webview, and when that is ignored goes back to the page before the wallet', () => {
    const close = vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const go = vi.spyOn(window.history, 'go').mockImplementation(() => undefined);
    markWalletEntry(2);
    leaveWallet(null, 4);
    expect(close).toHaveBeenCalledTimes(1);
    expect(go).not.toHaveBeenCalled();
    vi.advanceTimersByTime(CLOSE_FALLBACK_MS);
    // Entries 2, 3, 4 are the wallet's: three back, to entry 1.
    expect(go).toHaveBeenCalledWith(-3);
  });

  it('does not go back when the wallet was the first page of the tab', () => {
    vi.spyOn(window, 'close').mockImplementation(() => undefined);
    const go = vi.spyOn(window.history, 'go').mockImplementation(() => undefined);
    markWalletEntry(0);
    leaveWallet(null, 3);
    vi.advanceTimersByTime(CLOSE_FALLBACK_MS);
    expect(go).not.toHaveBeenCalled();
  });
});
