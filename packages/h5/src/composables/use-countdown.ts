// A countdown to a server deadline, measured on the server's clock (the phone's clock may be off).
import { computed, onScopeDispose, ref } from 'vue';
import type { ComputedRef, Ref } from 'vue';

/** The reactive result of {@link useCountdown}. */
export interface Countdown {
  /** Milliseconds left, never negative; null before `start`. */
  remainingMs: Ref<number | null>;
  /** True once started and at zero. */
  expired: ComputedRef<boolean>;
  /** `mm:ss`, or `h:mm:ss` above an hour; '' before `start`. */
  text: ComputedRef<string>;
  /** (Re)starts towards `deadlineAt`, given the server's time when the data was read. */
  start: (deadlineAt: string, serverTime: string) => void;
  stop: () => void;
}

/** Formats milliseconds as `mm:ss` (or `h:mm:ss`), rounding up so 0:00 means really over. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** A countdown ticking every second until the deadline; stops itself when its scope (component) goes. */
export function useCountdown(): Countdown {
  const remainingMs = ref<number | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  let deadlineMs = 0;
  // server time − local time, so that "now" is the server's now.
  let offsetMs = 0;

  function tick(): void {
    const left = Math.max(0, deadlineMs - (Date.now() + offsetMs));
    remainingMs.value = left;
    if (left === 0) stop();
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function start(deadlineAt: string, serverTime: string): void {
    stop();
    const server = Date.parse(serverTime);
    offsetMs = Number.isFinite(server) ? server - Date.now() : 0;
    const deadline = Date.parse(deadlineAt);
    deadlineMs = Number.isFinite(deadline) ? deadline : Date.now() + offsetMs;
    tick();
    if (remainingMs.value !== 0) timer = setInterval(tick, 1000);
  }

  onScopeDispose(stop);

  const expired = computed(() => remainingMs.value === 0);
  const text = computed(() => (remainingMs.value === null ? '' : formatRemaining(remainingMs.value)));
  return { remainingMs, expired, text, start, stop };
}
