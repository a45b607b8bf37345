// Polling a late order: the default backoff schedule and budget, and the abortable sleep between look-ups.

/**
 * Backoff between look-ups when the notify is late: 2 s, 4 s, 8 s, 16 s, then every 30 s. §2.6 says a payment
 * normally completes within 30 s – 15 min, hence the default 20 min budget of `pollUntilFinal`.
 */
export const PAYZERO_POLL_SCHEDULE_MS: readonly number[] = [2_000, 4_000, 8_000, 16_000, 30_000];

export const DEFAULT_MAX_WAIT_MS = 20 * 60_000;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
