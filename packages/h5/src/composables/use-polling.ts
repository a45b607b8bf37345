// Repeats a check with a growing interval until it says stop, or until its component is unmounted.
import { onScopeDispose, ref } from 'vue';
import type { Ref } from 'vue';

/** How often to poll: first after `initialMs`, then × `factor` each time, never above `maxMs`. */
export interface PollingOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

/** The handle of {@link usePolling}. */
export interface Polling {
  active: Ref<boolean>;
  start: () => void;
  stop: () => void;
}

/** The delays a poll waits, in order: 2 s, 3 s, 4.5 s, … capped at 10 s by default. */
export function pollDelay(attempt: number, { initialMs = 2000, maxMs = 10_000, factor = 1.5 }: PollingOptions = {}): number {
  return Math.min(maxMs, Math.round(initialMs * factor ** attempt));
}

/**
 * Calls `check` after each delay while it resolves to true. One check at a time; stopped by `stop()`,
 * by `check` resolving to false, or when the calling component's scope is disposed.
 */
export function usePolling(check: () => Promise<boolean>, options: PollingOptions = {}): Polling {
  const active = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  function schedule(): void {
    timer = setTimeout(
      async () => {
        timer = undefined;
        if (!active.value) return;
        const again = await check();
        if (!active.value) return;
        attempt += 1;
        if (again) schedule();
        else stop();
      },
      pollDelay(attempt, options),
    );
  }

  function start(): void {
    if (active.value) return;
    active.value = true;
    attempt = 0;
    schedule();
  }

  function stop(): void {
    active.value = false;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  onScopeDispose(stop);
  return { active, start, stop };
}
