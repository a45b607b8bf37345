// The user's bound cards for the cashier: loaded once, the last successful (else newest) selected by default but never
// one just declined, a new card added in place, a card removed.
import type { CardList, CardView } from '@zf/shared';
import { watch } from 'vue';
import type { Ref } from 'vue';
import { api } from '@/api/client.ts';
import { useAsyncData } from '@/composables/use-async-data.ts';
import type { AsyncData } from '@/composables/use-async-data.ts';

/** What {@link useBoundCards} gives the card picker. */
export interface BoundCards extends AsyncData<CardList> {
  /** Shows a card just bound, selects it, and reloads the list from the server. */
  added: (card: CardView) => Promise<void>;
  /** Removes a card (the server refuses while a payment with it is in flight) and reloads the list. */
  remove: (cardId: string) => Promise<void>;
}

/**
 * Loads the session user's cards and keeps `selected` on one of them: the newest (the server lists newest first)
 * unless the current choice is still in the list; null when there is none.
 */
export function useBoundCards(selected: Ref<string | null>): BoundCards {
  const loaded = useAsyncData(() => api.listCards());

  watch(loaded.data, (list) => {
    if (!list) return;
    const current = list.cards.find((card) => card.id === selected.value);
    // Never pre-select a card the bank just declined (the server lists it last and flags it).
    if (!current || current.last_declined) selected.value = (list.cards.find((card) => !card.last_declined) ?? list.cards[0])?.id ?? null;
  });

  async function added(card: CardView): Promise<void> {
    // Shown at once, even if the reload below fails: the card is bound either way.
    const others = loaded.data.value?.cards.filter((c) => c.id !== card.id) ?? [];
    selected.value = card.id;
    loaded.data.value = { cards: [card, ...others] };
    try {
      loaded.data.value = await api.listCards();
    } catch {
      // The card is bound and already shown; the list is read in full again next time the cashier opens.
    }
  }

  async function remove(cardId: string): Promise<void> {
    await api.removeCard(cardId);
    if (selected.value === cardId) selected.value = null;
    loaded.data.value = await api.listCards();
  }

  return { ...loaded, added, remove };
}
