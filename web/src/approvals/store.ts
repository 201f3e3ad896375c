import { api } from '../lib/api';
import { type GlobalEvent, onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';
import type { Interaction } from './types';

/** Every request waiting for the user, across sessions: the inbox and its counter read it. */
export const interactionsStore = createStore<{ pending: Interaction[]; loaded: boolean }>({ pending: [], loaded: false });

async function load(): Promise<void> {
  const { interactions } = await api<{ interactions: Interaction[] }>('/api/interactions');
  interactionsStore.set({ pending: interactions, loaded: true });
}

function apply(event: GlobalEvent): void {
  if (event.type === 'interaction.opened') {
    const interaction = event.interaction as Interaction;
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

export type ReplyBody =
  | { kind: 'approval'; outcome: 'once' | 'session' | 'workspace' | 'deny'; patterns?: string[]; message?: string }
  | { kind: 'plan'; approved: boolean; feedback?: string }
  | { kind: 'question'; answers: { selected: string[]; text?: string }[] };

export function reply(id: string, body: ReplyBody): Promise<unknown> {
  return api(`/api/interactions/${id}`, { method: 'POST', body });
}
