import { api } from '../lib/api';
import { type GlobalEvent as AnyGlobalEvent, onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';
import type { GlobalEvent, SessionSummary } from './types';

interface SessionsState {
  sessions: SessionSummary[];
  nextCursor: string | null;
  query: string;
  loading: boolean;
  error: string | null;
}

export const sessionsStore = createStore<SessionsState>({ sessions: [], nextCursor: null, query: '', loading: false, error: null });

const PAGE = 50;
let requestSeq = 0;

export async function loadSessions(query = sessionsStore.get().query): Promise<void> {
  const seq = ++requestSeq;
  sessionsStore.set({ query, loading: true, error: null });
  try {
    const page = await api<{ sessions: SessionSummary[]; nextCursor: string | null }>(`/api/sessions?limit=${PAGE}${query ? `&q=${encodeURIComponent(query)}` : ''}`);
    if (seq === requestSeq) sessionsStore.set({ sessions: page.sessions, nextCursor: page.nextCursor, loading: false });
  } catch (error) {
    if (seq === requestSeq) sessionsStore.set({ loading: false, error: (error as Error).message });
  }
}

export async function loadMoreSessions(): Promise<void> {
  const { nextCursor, query } = sessionsStore.get();
  if (!nextCursor) return;
  const page = await api<{ sessions: SessionSummary[]; nextCursor: string | null }>(`/api/sessions?limit=${PAGE}&cursor=${nextCursor}${query ? `&q=${encodeURIComponent(query)}` : ''}`);
  sessionsStore.set((s) => ({ sessions: [...s.sessions, ...page.sessions.filter((p) => !s.sessions.some((x) => x.id === p.id))], nextCursor: page.nextCursor }));
}

const matches = (session: SessionSummary, query: string) => !query || session.title.toLowerCase().includes(query.toLowerCase());

function applyGlobal(event: GlobalEvent): void {
  sessionsStore.set((state) => {
    if (event.type === 'session.deleted') return { sessions: state.sessions.filter((s) => s.id !== event.sessionId) };
    if (event.type === 'run.status') return { sessions: state.sessions.map((s) => (s.id === event.sessionId ? { ...s, running: event.running } : s)) };
    const others = state.sessions.filter((s) => s.id !== event.session.id);
    // Newest first: a changed session moves to the top, as the server orders them.
    return { sessions: matches(event.session, state.query) ? [event.session, ...others] : others };
  });
}

const SESSION_EVENTS = new Set(['session.created', 'session.updated', 'session.deleted', 'run.status']);

/** Keeps the list live while a chat view is open; a server restart reloads it. */
export function watchSessions(): () => void {
  return onGlobalEvents({
    onEvent: (event: AnyGlobalEvent) => SESSION_EVENTS.has(event.type) && applyGlobal(event as unknown as GlobalEvent),
    onRestart: () => void loadSessions(),
  });
}
