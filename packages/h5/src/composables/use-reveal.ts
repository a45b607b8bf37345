// Scrolls a section that has just appeared into view: a method's details open below the method list, which on a
// phone is often below the fold (and under the sticky pay button; the section's `scroll-margin-bottom` clears it).
import type { Ref } from 'vue';

/** A function that scrolls `el` into view, as little as needed. */
export function useReveal(el: Ref<HTMLElement | null>): () => void {
  return () => {
    // Optional call: not every DOM (test DOMs) implements scrolling.
    el.value?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  };
}
