import type { GlobalEvent } from '@contract/global-events';
import { SessionPageSchema, type SessionSummary } from '@contract/sessions';
import { api, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { createStore } from '../lib/store';

/** Which sessions the list shows: the active ones, the archived ones, or the runs of scheduled jobs. */
export type SessionListKind = 'active' | 'archived' | 'jobs';

interface SessionsState {
  sessions: SessionSummary[];
  nextCursor: string | null;
  query: string;
  list: SessionListKind;
  loading: boolean;
  error: string | null;
}

export const sessionsStore = createStore<SessionsState>({
  sessions: [],
  nextCursor: null,
  query: '',
  list: 'active',
  loading: false,
  error: null,
});

const PAGE = 50;
let requestSeq = 0;

const LIST_PARAMS: Record<SessionListKind, string> = { active: '', archived: '&archived=true', jobs: '&job=*' };

function pageUrl(query: string, list: SessionListKind, cursor?: string): string {
  return (
    `/api/sessions?limit=${PAGE}` +
    LIST_PARAMS[list] +
    (cursor ? `&cursor=${cursor}` : '') +
    (query ? `&q=${encodeURIComponent(query)}` : '')
  );
}

/** Loads the first page of the list: of `query` (search) within the active or archived sessions or the job runs. */
export async function loadSessions(query = sessionsStore.get().query, list = sessionsStore.get().list): Promise<void> {
  const seq = ++requestSeq;
  const switched = list !== sessionsStore.get().list;
  // The other list's rows would pass for this one's until its answer comes.
  sessionsStore.set({
    query,
    list,
    loading: true,
    error: null,
    ...(switched ? { sessions: [], nextCursor: null } : {}),
  });
  try {
    const page = await api(pageUrl(query, list), SessionPageSchema);
    if (seq === requestSeq) sessionsStore.set({ sessions: page.sessions, nextCursor: page.nextCursor, loading: false });
  } catch (error) {
    if (seq === requestSeq) sessionsStore.set({ loading: false, error: errorMessage(error) });
  }
}

export async function loadMoreSessions(): Promise<void> {
  const { nextCursor, query, list } = sessionsStore.get();
  if (!nextCursor) return;
  const seq = requestSeq;
  try {
    const page = await api(pageUrl(query, list, nextCursor), SessionPageSchema);
    // A search or a switch of list meanwhile: this page belongs to a list no longer shown.
    if (seq !== requestSeq) return;
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

/**
 * Follows a change of the list; events about anything else leave it alone. Archiving and restoring arrive as the
 * session deleted from one list and created in the other, so a session belongs to the list its `archived` says.
 */
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
      const inList =
        state.list === 'archived' ? session.archived : !session.archived && (state.list === 'active' || !!session.job);
      const belongs = inList && matches(session, state.query);
      // Newest first: a changed session moves to the top, as the server orders them.
      return { sessions: belongs ? [session, ...others] : others };
    });
  }
}

/** Keeps the list live while a chat view is open; a server restart reloads it. */
export function watchSessions(): () => void {
  return onGlobalEvents({ onEvent: applyGlobal, onRestart: () => void loadSessions() });
}
