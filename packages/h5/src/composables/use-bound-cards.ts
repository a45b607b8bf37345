// The user's bound cards for the cashier: loaded once, the newest selected by default, a new card added in place.
import type { AddCardRequest, CardList, CardView } from '@zf/shared';
import { watch } from 'vue';
import type { Ref } from 'vue';
import { api } from '@/api/client.ts';
import { useAsyncData } from '@/composables/use-async-data.ts';
import type { AsyncData } from '@/composables/use-async-data.ts';
import { usePayAction } from '@/composables/use-pay-action.ts';
import type { PayAction } from '@/composables/use-pay-action.ts';

/** What {@link useBoundCards} gives the card picker. */
export interface BoundCards extends AsyncData<CardList> {
  /** Shows a card just bound, selects it, and reloads the list from the server. */
  added: (card: CardView) => Promise<void>;
}

/**
 * Loads the session user's cards and keeps `selected` on one of them: the newest (the server lists newest first)
 * unless the current choice is still in the list; null when there is none.
 */
export function useBoundCards(selected: Ref<string | null>): BoundCards {
  const loaded = useAsyncData(() => api.listCards());

  watch(loaded.data, (list) => {
    if (!list) return;
    if (!list.cards.some((card) => card.id === selected.value)) selected.value = list.cards[0]?.id ?? null;
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

  return { ...loaded, added };
}

/** Binds a card (POST /api/cards) with an explicit state; `added` gets the stored card. */
export function useAddCard(added: (card: CardView) => void): PayAction<[request: AddCardRequest]> {
  return usePayAction(async (request: AddCardRequest) => added((await api.addCard(request)).card));
}
