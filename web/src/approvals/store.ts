import type { GlobalEvent } from '@contract/global-events';
import type { Interaction, InteractionReplyBody } from '@contract/interactions';
import { api } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';

/** Every request waiting for the user, across sessions: the inbox and its counter read it. */
export const interactionsStore = createStore<{ pending: Interaction[]; loaded: boolean }>({
  pending: [],
  loaded: false,
});

async function load(): Promise<void> {
  const { interactions } = await api<{ interactions: Interaction[] }>('/api/interactions');
  interactionsStore.set({ pending: interactions, loaded: true });
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
  void load().catch(() => undefined);
  return onGlobalEvents({ onEvent: apply, onRestart: () => void load().catch(() => undefined) });
}

export function reply(id: string, body: InteractionReplyBody): Promise<unknown> {
  return api(`/api/interactions/${id}`, { method: 'POST', body });
}
