import type { GlobalEvent } from '@contract/global-events';
import { SessionPageSchema, type SessionSummary } from '@contract/sessions';
import { api, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';

interface SessionsState {
  sessions: SessionSummary[];
  nextCursor: string | null;
  query: string;
  loading: boolean;
  error: string | null;
}

export const sessionsStore = createStore<SessionsState>({
  sessions: [],
  nextCursor: null,
  query: '',
  loading: false,
  error: null,
});

const PAGE = 50;
let requestSeq = 0;

export async function loadSessions(query = sessionsStore.get().query): Promise<void> {
  const seq = ++requestSeq;
  sessionsStore.set({ query, loading: true, error: null });
  try {
    const page = await api(
      `/api/sessions?limit=${PAGE}${query ? `&q=${encodeURIComponent(query)}` : ''}`,
      SessionPageSchema,
    );
    if (seq === requestSeq) sessionsStore.set({ sessions: page.sessions, nextCursor: page.nextCursor, loading: false });
  } catch (error) {
    if (seq === requestSeq) sessionsStore.set({ loading: false, error: errorMessage(error) });
  }
}

export async function loadMoreSessions(): Promise<void> {
  const { nextCursor, query } = sessionsStore.get();
  if (!nextCursor) return;
  try {
    const page = await api(
      `/api/sessions?limit=${PAGE}&cursor=${nextCursor}${query ? `&q=${encodeURIComponent(query)}` : ''}`,
      SessionPageSchema,
    );
    sessionsStore.set((s) => ({
      sessions: [...s.sessions, ...page.sessions.filter((p) => !s.sessions.some((x) => x.id === p.id))],
      nextCursor: page.nextCursor,
    }));
  } catch (error) {
    sessionsStore.set({ error: errorMessage(error) });
  }
}

const matches = (session: SessionSummary, query: string) =>
  !query || session.title.toLowerCase().includes(query.toLowerCase());

/** Follows a change of the list; events about anything else leave it alone. */
function applyGlobal(event: GlobalEvent): void {
  if (event.type === 'session.deleted')
    sessionsStore.set((state) => ({ sessions: state.sessions.filter((s) => s.id !== event.sessionId) }));
  else if (event.type === 'run.status')
    sessionsStore.set((state) => ({
      sessions: state.sessions.map((s) => (s.id === event.sessionId ? { ...s, running: event.running } : s)),
    }));
  else if (event.type === 'session.created' || event.type === 'session.updated') {
    const { session } = event;
    sessionsStore.set((state) => {
      const others = state.sessions.filter((s) => s.id !== session.id);
      // Newest first: a changed session moves to the top, as the server orders them.
      return { sessions: matches(session, state.query) ? [session, ...others] : others };
    });
  }
}

/** Keeps the list live while a chat view is open; a server restart reloads it. */
export function watchSessions(): () => void {
  return onGlobalEvents({ onEvent: applyGlobal, onRestart: () => void loadSessions() });
}
