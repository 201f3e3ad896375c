import { Archive, ArchiveRestore, Check, Ellipsis, Pencil, Pin, PinOff, Plus, Search, Trash2, X } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Segmented, cx, inputClass } from '../components/ui';
import { ContextMenu, type MenuItem } from '../files/ContextMenu';
import { apiSend, errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { type SessionListKind, loadMoreSessions, loadSessions, sessionsStore } from './sessions-store';
import type { SessionSummary } from '@contract/sessions';

function relativeTime(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 86400 * 7) return `${Math.floor(seconds / 86400)} d ago`;
  return new Date(iso).toLocaleDateString();
}

/** A session's commands: the menu button of its row, and the menu it opens under it. */
function RowMenu({ session, items }: { session: SessionSummary; items: MenuItem[] }) {
  const button = useRef<HTMLButtonElement>(null);
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const open = () => {
    const rect = button.current?.getBoundingClientRect();
    if (rect) setAt({ x: rect.right - 192, y: rect.bottom + 4 });
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        aria-label={`Actions for ${session.title}`}
        aria-haspopup="menu"
        aria-expanded={at !== null}
        onClick={open}
        className="rounded p-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-800 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
      >
        <Ellipsis size={15} aria-hidden />
      </button>
      {at && <ContextMenu label={session.title} x={at.x} y={at.y} items={items} onClose={() => setAt(null)} />}
    </>
  );
}

function Row({ session, activeId, onDone }: { session: SessionSummary; activeId: string | null; onDone?: () => void }) {
  const active = session.id === activeId;
  const [editing, setEditing] = useState(false);
  /** The title being typed; it starts from the session's title as it is when Rename is chosen. */
  const [title, setTitle] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A rename left open belongs to the session that was shown: switching to another closes it.
  useEffect(() => {
    setEditing(false);
    setError(null);
  }, [activeId]);

  /** A command on the session; its answer comes back through the global stream, which moves the row. */
  const act = async (path: string, init: Parameters<typeof apiSend>[1]) => {
    try {
      await apiSend(`/api/sessions/${session.id}${path}`, init);
      setError(null);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    }
  };
  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (await act('', { method: 'PATCH', body: { title } })) setEditing(false);
  };
  const remove = async () => {
    setConfirming(false);
    if ((await act('', { method: 'DELETE' })) && active) navigate('/chat');
  };

  const items: MenuItem[] = session.archived
    ? [
        {
          label: 'Restore',
          icon: ArchiveRestore,
          onSelect: () => void act('/restore', { method: 'POST' }),
        },
        { label: 'Delete', icon: Trash2, danger: true, separated: true, onSelect: () => setConfirming(true) },
      ]
    : [
        {
          label: 'Rename',
          icon: Pencil,
          onSelect: () => {
            setTitle(session.title);
            setEditing(true);
          },
        },
        {
          label: session.pinned ? 'Unpin' : 'Pin',
          icon: session.pinned ? PinOff : Pin,
          onSelect: () => void act('/pin', { method: 'PUT', body: { pinned: !session.pinned } }),
        },
        {
          label: 'Archive',
          icon: Archive,
          disabled: session.running,
          onSelect: () => void act('/archive', { method: 'POST' }),
        },
        { label: 'Delete', icon: Trash2, danger: true, separated: true, onSelect: () => setConfirming(true) },
      ];

  if (editing) {
    return (
      <li className="px-2 py-1">
        <form onSubmit={(e) => void rename(e)} className="flex items-center gap-1">
          <label className="sr-only" htmlFor={`title-${session.id}`}>
            Session title
          </label>
          <input
            id={`title-${session.id}`}
            autoFocus
            className={cx(inputClass, 'py-1')}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
          />
          <button
            type="submit"
            aria-label="Save title"
            className="rounded p-1 hover:bg-zinc-200 dark:hover:bg-zinc-800"
          >
            <Check size={15} />
          </button>
          <button
            type="button"
            aria-label="Cancel rename"
            onClick={() => setEditing(false)}
            className="rounded p-1 hover:bg-zinc-200 dark:hover:bg-zinc-800"
          >
            <X size={15} />
          </button>
        </form>
        {error && <p className="px-1 pt-1 text-xs text-red-600">{error}</p>}
      </li>
    );
  }
  return (
    <li className="group relative">
      <a
        href={`/chat/${session.id}`}
        onClick={onLinkClick(`/chat/${session.id}`, onDone)}
        aria-current={active ? 'page' : undefined}
        className={cx(
          'block rounded-md px-2.5 py-2 pr-9',
          active ? 'bg-teal-50 dark:bg-teal-950' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800/70',
        )}
      >
        <span className="flex items-center gap-1.5">
          {session.running && (
            <span className="h-2 w-2 shrink-0 animate-pulse rounded-full bg-teal-500" aria-label="Running" />
          )}
          {session.pinned && (
            <Pin size={13} aria-label="Pinned" role="img" className="shrink-0 text-teal-700 dark:text-teal-400" />
          )}
          <span className={cx('truncate text-sm', active && 'font-medium text-teal-900 dark:text-teal-100')}>
            {session.title}
          </span>
        </span>
        {session.snippet && (
          <span className="line-clamp-2 block text-xs text-zinc-600 dark:text-zinc-400" data-testid="search-snippet">
            {session.snippet}
          </span>
        )}
        <span className="block text-xs text-zinc-500">
          {relativeTime(session.updatedAt)} · {session.messageCount}{' '}
          {session.messageCount === 1 ? 'message' : 'messages'}
        </span>
      </a>
      <div className="absolute right-1.5 top-1.5 flex opacity-100 sm:opacity-0 sm:group-hover:opacity-100 sm:group-focus-within:opacity-100 sm:has-[[aria-expanded=true]]:opacity-100">
        <RowMenu session={session} items={items} />
      </div>
      {error && <p className="px-2.5 pb-1 text-xs text-red-600">{error}</p>}
      {confirming && (
        <ConfirmDialog
          title="Delete this session?"
          message={`“${session.title}” and its history will be removed from ${
            session.archived ? '.boxagnts/sessions/archive' : '.boxagnts/sessions'
          }. This cannot be undone.`}
          confirmLabel="Delete"
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </li>
  );
}

const LIST_WORDS: Record<SessionListKind, { search: string; name: string; empty: string }> = {
  active: { search: 'Search sessions', name: 'Sessions', empty: 'No sessions yet.' },
  jobs: { search: 'Search job runs', name: 'Job runs', empty: 'No runs of scheduled jobs yet.' },
  archived: { search: 'Search archived sessions', name: 'Archived sessions', empty: 'No archived sessions.' },
};

export function SessionList({ activeId, onNavigate }: { activeId: string | null; onNavigate?: () => void }) {
  const { sessions, nextCursor, loading, error, query, list } = useStore(sessionsStore, (s) => s);
  const [filter, setFilter] = useState(query);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (filter !== sessionsStore.get().query) void loadSessions(filter);
    }, 200);
    return () => clearTimeout(timer);
  }, [filter]);

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 p-3">
        <a
          href="/chat"
          onClick={onLinkClick('/chat', onNavigate)}
          className="flex items-center justify-center gap-1.5 rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800"
        >
          <Plus size={15} aria-hidden /> New chat
        </a>
        <Segmented<SessionListKind>
          label="Which sessions"
          value={list}
          options={[
            { value: 'active', label: 'Active' },
            { value: 'jobs', label: 'Job runs' },
            { value: 'archived', label: 'Archived' },
          ]}
          onChange={(value) => void loadSessions(filter, value)}
          wide
        />
        <div className="relative">
          <Search size={14} className="pointer-events-none absolute left-2.5 top-2.5 text-zinc-400" aria-hidden />
          <label htmlFor="session-filter" className="sr-only">
            Search sessions
          </label>
          <input
            id="session-filter"
            className={cx(inputClass, 'pl-8')}
            placeholder={LIST_WORDS[list].search}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
      </div>
      <ul aria-label={LIST_WORDS[list].name} className="min-h-0 flex-1 space-y-0.5 overflow-y-auto px-2 pb-3">
        {sessions.map((s) => (
          <Row key={s.id} session={s} activeId={activeId} {...(onNavigate ? { onDone: onNavigate } : {})} />
        ))}
        {!loading && sessions.length === 0 && (
          <li className="px-2.5 py-6 text-center text-sm text-zinc-500">
            {query ? 'No session matches.' : LIST_WORDS[list].empty}
          </li>
        )}
        {error && <li className="px-2.5 py-2 text-sm text-red-600">{error}</li>}
        {nextCursor && (
          <li>
            <button
              type="button"
              onClick={() => void loadMoreSessions()}
              className="w-full rounded-md px-2.5 py-2 text-sm text-teal-700 hover:bg-zinc-100 dark:text-teal-400 dark:hover:bg-zinc-800"
            >
              Load more
            </button>
          </li>
        )}
      </ul>
    </div>
  );
}
