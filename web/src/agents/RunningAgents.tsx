import type { ChildRun } from '@contract/agents';
import { Bot, LoaderCircle, Square } from 'lucide-react';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { loadSessions, sessionsStore } from '../chat/sessions-store';
import { EmptyState } from '../components/EmptyState';
import { Badge, Button, FieldError } from '../components/ui';
import { apiSend, errorMessage } from '../lib/api';
import { onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

function StateBadge({ child }: { child: ChildRun }) {
  if (child.state === 'queued') return <Badge>Queued</Badge>;
  if (child.state === 'running')
    return (
      <Badge tone="teal">
        <LoaderCircle aria-hidden size={11} className="animate-spin" /> Running
      </Badge>
    );
  switch (child.status) {
    case 'finished':
      return <Badge tone="green">Finished</Badge>;
    case 'error':
      return <Badge tone="red">Failed</Badge>;
    case 'max_turns':
      return <Badge tone="amber">Turn limit reached</Badge>;
    case 'budget':
      return <Badge tone="amber">Budget reached</Badge>;
    default:
      return <Badge>Stopped</Badge>;
  }
}

function ChatLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a
      href={to}
      onClick={onLinkClick(to)}
      className="font-medium break-words text-teal-800 underline-offset-2 hover:underline dark:text-teal-300"
    >
      {children}
    </a>
  );
}

function ChildRow({
  child,
  parentTitle,
  stopping,
  onStop,
}: {
  child: ChildRun;
  parentTitle: string | undefined;
  stopping: boolean;
  onStop: () => void;
}) {
  const tokens = child.usage.inputTokens + child.usage.outputTokens;
  return (
    <li className="px-4 py-3">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 flex-1 basis-80">
          <div className="flex flex-wrap items-center gap-1.5">
            <StateBadge child={child} />
            <code className="text-xs font-semibold">{child.agentType}</code>
            {child.background && <Badge>background</Badge>}
          </div>
          <h3 className="mt-1 text-sm font-medium break-words">{child.description}</h3>
          <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
            Started {time.format(new Date(child.startedAt))} · {child.turns} turn{child.turns === 1 ? '' : 's'} ·{' '}
            <span title={`${child.usage.inputTokens} in, ${child.usage.outputTokens} out`}>
              {compact.format(tokens)} tokens
            </span>{' '}
            · {usd.format(child.usage.costUsd)}
          </p>
          <p className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
            <ChatLink to={`/chat/${child.id}`}>Open its chat</ChatLink>
            <span className="text-zinc-600 dark:text-zinc-400">
              Started by{' '}
              <ChatLink to={`/chat/${child.parentSessionId}`}>{parentTitle ?? 'its parent session'}</ChatLink>
            </span>
          </p>
          {child.worktree && (
            <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
              {child.worktree.clean ? (
                'Worked in a git worktree and changed nothing; it was removed.'
              ) : (
                <>
                  Its changes are on branch <code>{child.worktree.branch}</code>.
                </>
              )}
            </p>
          )}
        </div>
        {child.state !== 'done' && (
          <Button
            variant="danger-ghost"
            disabled={stopping}
            onClick={onStop}
            aria-label={`Stop ${child.agentType} agent: ${child.description}`}
          >
            <Square aria-hidden size={13} /> {stopping ? 'Stopping…' : 'Stop'}
          </Button>
        )}
      </div>
    </li>
  );
}

function ChildList({
  label,
  runs,
  titles,
  stopping,
  onStop,
}: {
  label: string;
  runs: ChildRun[];
  titles: Map<string, string>;
  stopping: Set<string>;
  onStop: (id: string) => void;
}) {
  return (
    <section aria-label={label} className="mb-6">
      <h2 className="mb-2 text-sm font-semibold">
        {label} <span className="font-normal text-zinc-500 dark:text-zinc-400">({runs.length})</span>
      </h2>
      <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
        {runs.map((child) => (
          <ChildRow
            key={child.id}
            child={child}
            parentTitle={titles.get(child.parentSessionId)}
            stopping={stopping.has(child.id)}
            onStop={() => onStop(child.id)}
          />
        ))}
      </ul>
    </section>
  );
}

/** The child runs started by the `agent` tool in any session: those going on (with Stop) and those just finished. */
export function RunningAgents({
  runs,
  error,
  reload,
}: {
  runs: ChildRun[] | null;
  error: string | null;
  reload: () => void;
}) {
  const [stopping, setStopping] = useState<Set<string>>(new Set());
  const [stopError, setStopError] = useState<string | null>(null);
  const sessions = useStore(sessionsStore, (s) => s.sessions);
  const titles = useMemo(() => new Map(sessions.map((s) => [s.id, s.title])), [sessions]);
  // Parent titles for the links; the list may not have been loaded by the chat page yet.
  useEffect(() => {
    if (sessionsStore.get().sessions.length === 0) void loadSessions();
  }, []);
  const stop = (id: string) => {
    setStopError(null);
    setStopping((s) => new Set(s).add(id));
    apiSend(`/api/agents/children/${id}/stop`, { method: 'POST' })
      .catch((e: unknown) => setStopError(errorMessage(e)))
      .finally(() => {
        setStopping((s) => new Set([...s].filter((x) => x !== id)));
        reload();
      });
  };
  if (!runs)
    return error ? (
      <FieldError message={error} />
    ) : (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>
    );
  const going = runs.filter((child) => child.state !== 'done');
  const done = runs.filter((child) => child.state === 'done');
  return (
    <>
      <FieldError message={error ?? stopError} />
      {runs.length === 0 ? (
        <EmptyState icon={Bot} title="No agents have run yet">
          <p>
            When an agent starts another with the <code>agent</code> tool, the run shows here with its turns, tokens and
            cost, and can be stopped. Finished ones stay listed until the server restarts.
          </p>
        </EmptyState>
      ) : (
        <>
          {going.length === 0 ? (
            <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">No agent is running now.</p>
          ) : (
            <ChildList label="Going on" runs={going} titles={titles} stopping={stopping} onStop={stop} />
          )}
          {done.length > 0 && (
            <ChildList label="Recently finished" runs={done} titles={titles} stopping={stopping} onStop={stop} />
          )}
        </>
      )}
    </>
  );
}
