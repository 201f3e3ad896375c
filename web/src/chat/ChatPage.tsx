import { type ModelList, ModelListSchema } from '@contract/models';
import { SessionSummarySchema } from '@contract/sessions';
import { CornerLeftUp, Eraser, List, MessageSquare, SlidersHorizontal, WifiOff, X } from 'lucide-react';
import { Drawer } from '../components/Drawer';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { PhoneMenuButton } from '../components/MenuButton';
import { cx } from '../components/ui';
import { api, apiSend, errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { AgentRequests } from './AgentRequests';
import { ArchivedBanner } from './ArchivedBanner';
import { AgentTypeControl } from './AgentTypeControl';
import { Composer } from './Composer';
import { ExportMenu } from './ExportMenu';
import { ModePicker } from './ModePicker';
import { SessionGrants } from './SessionGrants';
import { TaskList } from './TaskList';
import { Conversation } from './Conversation';
import { SessionList } from './SessionList';
import { useStore } from '../lib/store';
import { loadSessions, sessionsStore, watchSessions } from './sessions-store';
import { SessionNotFound } from './SessionNotFound';
import { UsageCounter } from './UsageCounter';
import { useSession } from './use-session';
import { useToolTokens } from './use-tool-tokens';
import { ContextMeter } from './ContextMeter';

/** What the Continue button of an interrupted run sends; the draft in the message box stays as it is. */
const CONTINUE_PROMPT = 'Your last run was interrupted before it finished. Continue where you stopped.';

/** The models to choose from; without the list a message still goes to the default model, so a failure is a notice. */
function useModels(onError: (message: string) => void) {
  const [models, setModels] = useState<ModelList>({ models: [], defaultModel: null });
  useEffect(() => {
    api('/api/models', ModelListSchema).then(setModels, (e: unknown) =>
      onError(`The list of models could not be loaded: ${errorMessage(e)}`),
    );
  }, [onError]);
  return models;
}

/** Keeps the view pinned to the newest message unless the reader has scrolled up. */
function useStickToBottom(dep: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [dep]);
  return { ref, onScroll, pin: () => (pinned.current = true) };
}

export function ChatPage({ path }: { path: string }) {
  const sessionId = path.split('/')[2] || null;
  const view = useSession(sessionId);
  const [error, setError] = useState<string | null>(null);
  const toolTokens = useToolTokens();
  const { models, defaultModel } = useModels(setError);
  const [text, setText] = useState('');
  const [model, setModel] = useState('');
  const [sending, setSending] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const closeDrawer = useCallback(() => setDrawer(false), []);
  const [clearing, setClearing] = useState(false);
  /** On a phone the session's controls fold away under one button, so the title keeps the header's width. */
  const [controlsOpen, setControlsOpen] = useState(false);
  const controlsButton = useRef<HTMLButtonElement>(null);
  const [warningsSeen, setWarningsSeen] = useState(false);
  /** The agent type a new chat's session will take (the Managed switch before the first message). */
  const [draftAgentType, setDraftAgentType] = useState<string | null>(null);
  const scroller = useStickToBottom(view.timeline);

  useEffect(() => {
    void loadSessions();
    return watchSessions();
  }, []);
  useEffect(() => {
    setError(null);
    setWarningsSeen(false);
    setDraftAgentType(null);
    setControlsOpen(false);
  }, [sessionId]);

  /** Starts a run with `message`, in a new session when none is open; false when the server refused. */
  const startRun = async (message: string): Promise<boolean> => {
    setSending(true);
    setError(null);
    try {
      let id = sessionId;
      if (!id) {
        id = (
          await api('/api/sessions', SessionSummarySchema, {
            method: 'POST',
            body: draftAgentType ? { agentType: draftAgentType } : {},
          })
        ).id;
        setDraftAgentType(null);
        navigate(`/chat/${id}`);
      }
      await apiSend(`/api/sessions/${id}/messages`, {
        method: 'POST',
        body: { text: message, ...(model ? { model } : {}) },
      });
      scroller.pin();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setSending(false);
    }
  };
  const send = async () => {
    if (await startRun(text)) setText('');
  };
  const stop = () => {
    if (sessionId)
      apiSend(`/api/sessions/${sessionId}/cancel`, { method: 'POST' }).catch((e: unknown) => setError(errorMessage(e)));
  };
  const fork = (eventId: number) => {
    if (!sessionId) return;
    api(`/api/sessions/${sessionId}/fork`, SessionSummarySchema, { method: 'POST', body: { eventId } }).then(
      (forked) => navigate(`/chat/${forked.id}`),
      (e: unknown) => setError(errorMessage(e)),
    );
  };
  const setAgentType = (agentType: string | null) => {
    if (!sessionId) setDraftAgentType(agentType);
    else
      apiSend(`/api/sessions/${sessionId}/agent`, { method: 'PUT', body: { agentType } }).catch((e: unknown) =>
        setError(errorMessage(e)),
      );
  };
  const clear = async () => {
    setClearing(false);
    try {
      await apiSend(`/api/sessions/${sessionId}/clear`, { method: 'POST' });
      view.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  // The list follows the global stream, so it has the newest title (auto titles arrive with the first message).
  const listed = useStore(sessionsStore, (s) => s.sessions.find((x) => x.id === sessionId));
  const title = view.timeline.title ?? listed?.title ?? view.session?.title ?? 'New chat';
  const spawnedBy = view.session?.spawnedBy;
  const { lastPrompt } = view.timeline;
  /** Read-only until restored: no stream, nothing that changes the session. Known from the list before it loads. */
  const archived = view.session ? view.session.archived : listed?.archived === true;
  const restored = () => {
    view.reload();
    // The restored session is an active one again: the list shows where it now is.
    void loadSessions(sessionsStore.get().query, 'active');
  };
  const parentTitle = useStore(sessionsStore, (s) => s.sessions.find((x) => x.id === spawnedBy?.sessionId)?.title);

  const sessionList = (
    <aside className="hidden w-72 shrink-0 border-r border-zinc-200 lg:block dark:border-zinc-800">
      <SessionList activeId={sessionId} />
    </aside>
  );
  // Nothing to act on: no header, no composer, only the way back.
  if (view.loadError?.status === 404)
    return (
      <div className="flex h-full min-h-0">
        {sessionList}
        <SessionNotFound message={view.loadError.message} />
      </div>
    );

  return (
    <div className="flex h-full min-h-0">
      {sessionList}
      {drawer && (
        <Drawer
          label="Sessions"
          hiddenFrom="lg"
          header={<span className="text-sm font-medium">Sessions</span>}
          onClose={closeDrawer}
        >
          <SessionList activeId={sessionId} onNavigate={closeDrawer} />
        </Drawer>
      )}

      <section className="flex min-w-0 flex-1 flex-col">
        {/*
          The title takes the room it needs: from the small breakpoint up the controls move to a second line when they
          would cut it short; on a phone they fold into a panel under the header, opened by one button.
        */}
        <header className="relative flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-zinc-200 px-3 py-2 sm:px-5 dark:border-zinc-800">
          <div className="flex min-w-0 flex-auto items-center gap-2">
            <PhoneMenuButton />
            <button
              type="button"
              aria-label="Show sessions"
              onClick={() => setDrawer(true)}
              className="shrink-0 rounded p-1.5 hover:bg-zinc-100 lg:hidden dark:hover:bg-zinc-800"
            >
              <List size={18} />
            </button>
            {spawnedBy && (
              <a
                href={`/chat/${spawnedBy.sessionId}`}
                onClick={onLinkClick(`/chat/${spawnedBy.sessionId}`)}
                className="flex min-w-0 max-w-[40%] shrink-0 items-center gap-1 rounded p-1.5 text-xs font-medium text-teal-700 hover:bg-zinc-100 hover:underline dark:text-teal-400 dark:hover:bg-zinc-800"
                title={`Started by ${parentTitle ?? 'its parent session'} as a ${spawnedBy.agentType} agent`}
                aria-label={`Parent session${parentTitle ? `: ${parentTitle}` : ''}`}
              >
                <CornerLeftUp size={15} aria-hidden className="shrink-0" />
                <span className="hidden truncate sm:inline">Parent session</span>
              </a>
            )}
            <h1 className="min-w-0 flex-1 truncate text-base font-semibold">{title}</h1>
            {sessionId && !view.connected && view.session && !archived && (
              <span className="flex items-center gap-1 text-xs text-amber-700 dark:text-amber-400" role="status">
                <WifiOff size={13} aria-hidden /> <span className="sr-only sm:not-sr-only">reconnecting</span>
              </span>
            )}
            <button
              ref={controlsButton}
              type="button"
              aria-label="Session controls"
              aria-expanded={controlsOpen}
              aria-controls="chat-controls"
              onClick={() => setControlsOpen((open) => !open)}
              className={cx(
                'shrink-0 rounded p-1.5 hover:bg-zinc-100 sm:hidden dark:hover:bg-zinc-800',
                controlsOpen && 'bg-zinc-100 dark:bg-zinc-800',
              )}
            >
              <SlidersHorizontal size={18} aria-hidden />
            </button>
          </div>
          <div
            id="chat-controls"
            onKeyDown={(event) => {
              // Escape inside a menu of the panel (Export) closes that menu only.
              if (event.key !== 'Escape' || !controlsOpen || event.defaultPrevented) return;
              setControlsOpen(false);
              controlsButton.current?.focus();
            }}
            className={cx(
              controlsOpen ? 'flex' : 'hidden',
              'absolute inset-x-0 top-full z-20 flex-wrap items-center gap-2 border-b border-zinc-200 bg-white px-3 py-2 shadow-md dark:border-zinc-800 dark:bg-zinc-950',
              'sm:static sm:ml-auto sm:flex sm:min-w-0 sm:flex-nowrap sm:justify-end sm:gap-x-2 sm:gap-y-1 sm:border-0 sm:bg-transparent sm:p-0 sm:shadow-none sm:dark:bg-transparent',
            )}
          >
            {spawnedBy ? (
              <span className="truncate text-xs text-zinc-600 dark:text-zinc-400" title="This session's agent type">
                {spawnedBy.agentType} agent
              </span>
            ) : (
              (!sessionId || (view.session && !archived)) && (
                <AgentTypeControl
                  agentType={sessionId ? view.timeline.agentType : draftAgentType}
                  onChange={setAgentType}
                />
              )
            )}
            {sessionId && view.session && !archived && (
              <ModePicker sessionId={sessionId} mode={view.timeline.mode} onError={setError} />
            )}
            {sessionId && view.timeline.context && <ContextMeter context={view.timeline.context} />}
            {sessionId && <UsageCounter timeline={view.timeline} toolTokens={toolTokens} />}
            {sessionId && (
              <>
                <ExportMenu sessionId={sessionId} />
                {!archived && (
                  <button
                    type="button"
                    disabled={view.running}
                    onClick={() => setClearing(true)}
                    className="rounded p-1.5 text-zinc-600 hover:bg-zinc-100 disabled:opacity-40 dark:text-zinc-300 dark:hover:bg-zinc-800"
                    title="Clear history"
                    aria-label="Clear history"
                  >
                    <Eraser size={16} />
                  </button>
                )}
              </>
            )}
          </div>
        </header>

        <div ref={scroller.ref} onScroll={scroller.onScroll} className="min-h-0 flex-1 overflow-y-auto">
          <div className="mx-auto max-w-3xl px-4 py-6 sm:px-6">
            {view.loadError ? (
              <EmptyState icon={MessageSquare} title="Could not load this session">
                <p>{view.loadError.message}</p>
              </EmptyState>
            ) : !sessionId ? (
              <EmptyState icon={MessageSquare} title="Start a conversation">
                <p>The agent works in this workspace. Every session is kept in .boxagnts/sessions on your disk.</p>
              </EmptyState>
            ) : (
              <>
                {view.warnings.length > 0 && !warningsSeen && (
                  <div
                    role="status"
                    className="mb-4 flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
                  >
                    <span className="flex-1">
                      Parts of this session's file were damaged and skipped: {view.warnings.join('; ')}.
                    </span>
                    <button type="button" aria-label="Dismiss" onClick={() => setWarningsSeen(true)}>
                      <X size={15} />
                    </button>
                  </div>
                )}
                {view.session && view.timeline.items.length === 0 && (
                  <p className="py-10 text-center text-sm text-zinc-500">No messages yet.</p>
                )}
                <Conversation
                  items={view.timeline.items}
                  agents={view.timeline.children}
                  continueAt={view.timeline.continueAt}
                  retryAt={view.timeline.retryAt}
                  onFork={archived ? undefined : fork}
                  onContinue={view.running || sending || archived ? undefined : () => void startRun(CONTINUE_PROMPT)}
                  onRetry={
                    view.running || sending || archived || !lastPrompt ? undefined : () => void startRun(lastPrompt)
                  }
                />
                {/* An archived session has no run, so none of its agents waits for an answer. */}
                {view.session && !archived && (
                  <AgentRequests sessionId={sessionId} agents={view.timeline.children} onError={setError} />
                )}
              </>
            )}
          </div>
        </div>

        <TaskList todos={view.timeline.todos} />
        {sessionId && archived ? (
          <ArchivedBanner sessionId={sessionId} onRestored={restored} />
        ) : (
          <>
            {sessionId && <SessionGrants sessionId={sessionId} grants={view.timeline.grants} onError={setError} />}
            <Composer
              text={text}
              onText={setText}
              onSend={() => void send()}
              onStop={stop}
              running={view.running}
              sending={sending}
              models={models}
              defaultModel={defaultModel}
              model={model}
              onModel={setModel}
              error={error}
            />
          </>
        )}
      </section>
      {clearing && (
        <ConfirmDialog
          title="Clear this session?"
          message="Every message of this session will be removed; its title stays. This cannot be undone."
          confirmLabel="Clear"
          onConfirm={() => void clear()}
          onCancel={() => setClearing(false)}
        />
      )}
    </div>
  );
}
