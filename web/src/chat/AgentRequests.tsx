import type { Interaction } from '@contract/interactions';
import { SessionStateViewSchema } from '@contract/sessions';
import { Bot } from 'lucide-react';
import { useEffect, useState } from 'react';
import { InteractionCard } from '../approvals/RequestCards';
import { interactionsStore } from '../approvals/store';
import { api, errorMessage } from '../lib/api';
import { onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { sessionsStore } from './sessions-store';
import type { ChildView } from './timeline';

/**
 * The requests of the session's running agents (its children, and theirs) that wait for the user: each blocks the
 * `agent` call that started its run. The server knows the tree (`/state`); the inbox's live list says when to ask it
 * again, and drops an answered request at once.
 */
function useAgentRequests(sessionId: string, onError: (message: string) => void): Interaction[] {
  const { pending, loaded } = useStore(interactionsStore, (s) => s);
  const [requests, setRequests] = useState<Interaction[]>([]);
  const key = pending.map((i) => i.id).join(' ');
  useEffect(() => {
    let current = true;
    api(`/api/sessions/${sessionId}/state`, SessionStateViewSchema).then(
      (state) => {
        if (current) setRequests(state.interactions.filter((i) => i.sessionId !== sessionId));
      },
      (e: unknown) => {
        if (current) onError(`The agents' waiting requests could not be loaded: ${errorMessage(e)}`);
      },
    );
    return () => {
      current = false;
    };
  }, [sessionId, key, onError]);
  return loaded ? requests.filter((r) => pending.some((p) => p.id === r.id)) : requests;
}

/** Each agent's waiting request, labelled with the agent that asks, answered here as in its own chat. */
export function AgentRequests({
  sessionId,
  agents,
  onError,
}: {
  sessionId: string;
  agents: ChildView[];
  onError: (message: string) => void;
}) {
  const requests = useAgentRequests(sessionId, onError);
  const titles = useStore(sessionsStore, (s) => s.sessions);
  if (requests.length === 0) return null;
  return (
    <ul className="mt-4 space-y-4" aria-label="Waiting for you in this session's agents">
      {requests.map((request) => {
        const child = agents.find((c) => c.childId === request.sessionId);
        // A child's own child is not in this session's events: its session's title is its description.
        const name = child?.description ?? titles.find((s) => s.id === request.sessionId)?.title ?? 'a sub-agent';
        return (
          <li key={request.id} data-testid="agent-request">
            <p className="mb-1.5 flex flex-wrap items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
              <Bot size={14} aria-hidden className="text-teal-700 dark:text-teal-400" />
              Asked by the agent
              <a
                href={`/chat/${request.sessionId}`}
                onClick={onLinkClick(`/chat/${request.sessionId}`)}
                className="font-medium text-teal-700 hover:underline dark:text-teal-400"
              >
                {name}
              </a>
              {child && <span>({child.agentType})</span>}
            </p>
            <InteractionCard interaction={request} />
          </li>
        );
      })}
    </ul>
  );
}
