import type { Interaction } from '@contract/interactions';
import { Inbox } from 'lucide-react';
import { useEffect, useMemo } from 'react';
import { EmptyState } from '../components/EmptyState';
import { FieldError, PageHeader } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { loadSessions, sessionsStore } from '../chat/sessions-store';
import { InteractionCard } from './RequestCards';
import { interactionsStore } from './store';
import { teamPath } from '../team/path';

const LINK = 'font-medium text-teal-700 hover:underline dark:text-teal-400';

/**
 * Where a request comes from: its chat on this server, or, for a team run's, that run on the Team page (its session
 * lives on the worker's machine).
 */
function Origin({ interaction, title }: { interaction: Interaction; title: string | undefined }) {
  const { team } = interaction;
  if (team) {
    const to = teamPath(team.runId);
    return (
      <>
        From team run{' '}
        <a href={to} onClick={onLinkClick(to)} className={LINK}>
          {team.job ?? team.runId}
        </a>{' '}
        on worker <span className="font-mono">{team.worker}</span>
      </>
    );
  }
  const to = `/chat/${interaction.sessionId}`;
  return (
    <>
      In{' '}
      <a href={to} onClick={onLinkClick(to)} className={LINK}>
        {title ?? interaction.sessionId}
      </a>
    </>
  );
}

/** Every request waiting for the user, across sessions, so background runs can be answered from one place. */
export function InboxPage() {
  const { pending, loaded, error } = useStore(interactionsStore, (s) => s);
  const sessions = useStore(sessionsStore, (s) => s.sessions);
  const titles = useMemo(() => new Map(sessions.map((x) => [x.id, x.title])), [sessions]);
  // Session titles for the links; the list may not have been loaded by the chat page yet.
  useEffect(() => {
    if (sessionsStore.get().sessions.length === 0) void loadSessions();
  }, []);
  const sorted = [...pending].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Requests from running agents that wait for you: permissions, plans and questions. Nothing here expires; a request ends when you answer it or its run is stopped."
      />
      <FieldError message={error} />
      {loaded && sorted.length === 0 ? (
        <EmptyState icon={Inbox} title="Nothing is waiting for you">
          <p>When an agent needs your approval or an answer, it appears here and in its chat.</p>
        </EmptyState>
      ) : (
        <ul className="space-y-4">
          {sorted.map((interaction) => (
            <li key={interaction.id}>
              <p className="mb-1.5 text-xs text-zinc-600 dark:text-zinc-400">
                <Origin interaction={interaction} title={titles.get(interaction.sessionId)} /> ·{' '}
                {new Date(interaction.createdAt).toLocaleTimeString()}
              </p>
              <InteractionCard interaction={interaction} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
