import type { GlobalEvent } from '@contract/global-events';
import type { Interaction, InteractionReplyBody } from '@contract/interactions';
import { InteractionListSchema } from '@contract/web-responses';
import { api, apiSend, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';

/** Every request waiting for the user, across sessions: the inbox and its counter read it. */
export const interactionsStore = createStore<{ pending: Interaction[]; loaded: boolean; error: string | null }>({
  pending: [],
  loaded: false,
  error: null,
});

/** Loads the open requests; a failure is kept for the inbox to show, and the next restart of the stream retries. */
async function load(): Promise<void> {
  try {
    const { interactions } = await api('/api/interactions', InteractionListSchema);
    interactionsStore.set({ pending: interactions, loaded: true, error: null });
  } catch (error) {
    interactionsStore.set({ error: `The waiting requests could not be loaded: ${errorMessage(error)}` });
  }
}

function apply(event: GlobalEvent): void {
  if (event.type === 'interaction.opened') {
    const { interaction } = event;
    interactionsStore.set((s) => ({ pending: [...s.pending.filter((i) => i.id !== interaction.id), interaction] }));
  } else if (event.type === 'interaction.closed') {
    interactionsStore.set((s) => ({ pending: s.pending.filter((i) => i.id !== event.interactionId) }));
  }
}

/** Follows the inbox for as long as the dashboard is open. */
export function watchInteractions(): () => void {
  void load();
  return onGlobalEvents({ onEvent: apply, onRestart: () => void load() });
}

export function reply(id: string, body: InteractionReplyBody): Promise<void> {
  return apiSend(`/api/interactions/${id}`, { method: 'POST', body });
}
