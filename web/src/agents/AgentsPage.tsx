import type { AgentList } from '@contract/agents';
import { Plus } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, FieldError, PageHeader, cx } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate, onLinkClick } from '../lib/router';
import { LoadFailed } from '../models/bits';
import { AgentEditor } from './AgentEditor';
import { AgentTypeList } from './AgentTypeList';
import { RunningAgents } from './RunningAgents';
import { loadAgents, tryAgent } from './agents-api';
import { useRunningAgents } from './use-running-agents';

type View = { kind: 'types' } | { kind: 'running' } | { kind: 'editor'; name: string | undefined };

/** `/agents`, `/agents/running`, `/agents/new` and `/agents/edit/NAME`. */
function viewOf(path: string): View {
  const [, , first, second] = path.split('/');
  if (first === 'running') return { kind: 'running' };
  if (first === 'new') return { kind: 'editor', name: undefined };
  if (first === 'edit' && second) return { kind: 'editor', name: decodeURIComponent(second) };
  return { kind: 'types' };
}

function Tabs({ view, going }: { view: 'types' | 'running'; going: number }) {
  const tab = (to: string, active: boolean, label: string) => (
    <a
      href={to}
      onClick={onLinkClick(to)}
      aria-current={active ? 'page' : undefined}
      className={cx(
        '-mb-px border-b-2 px-3 py-2 text-sm font-medium',
        active
          ? 'border-teal-700 text-teal-800 dark:border-teal-400 dark:text-teal-300'
          : 'border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100',
      )}
    >
      {label}
    </a>
  );
  return (
    <nav aria-label="Agents" className="mb-5 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {tab('/agents', view === 'types', 'Agent types')}
      {tab('/agents/running', view === 'running', going ? `Running (${going})` : 'Running')}
    </nav>
  );
}

/**
 * Agent types (the workspace's own, editable; Claude Code's and opencode's, read-only; the built-in ones) and the
 * child runs the `agent` tool started, live.
 */
export function AgentsPage({ path }: { path: string }) {
  const view = viewOf(path);
  const [list, setList] = useState<AgentList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [trying, setTrying] = useState<string | null>(null);
  const [tryError, setTryError] = useState<string | null>(null);
  const running = useRunningAgents();
  const load = useCallback(() => {
    setError(null);
    loadAgents().then(setList, (e: unknown) => setError(errorMessage(e)));
  }, []);
  // Read again on every return to the list: files may have changed in an editor or on the Files page meanwhile.
  useEffect(() => {
    if (view.kind === 'types') load();
  }, [view.kind, load]);
  const top = useRef<HTMLDivElement>(null);
  // The list and the editor share the page's scroll area: each starts at its top, not where the other was left.
  useEffect(() => {
    top.current?.closest('main')?.scrollTo({ top: 0 });
  }, [view.kind]);

  if (view.kind === 'editor')
    return (
      <div ref={top}>
        <AgentEditor name={view.name} />
      </div>
    );

  const tryIt = (name: string) => {
    setTrying(name);
    setTryError(null);
    tryAgent(name).catch((e: unknown) => {
      setTryError(`Could not start a chat with ${name}: ${errorMessage(e)}`);
      setTrying(null);
    });
  };
  const going = running.children?.filter((child) => child.state !== 'done').length ?? 0;
  return (
    <div ref={top}>
      <PageHeader
        title="Agents"
        description="Agent types the agent tool can start: each with its own instructions, tools, model, permission mode and limits. Try one in a chat of its own, or let an agent hand it a task."
        actions={
          <Button variant="primary" onClick={() => navigate('/agents/new')}>
            <Plus aria-hidden size={15} /> New agent
          </Button>
        }
      />
      <Tabs view={view.kind} going={going} />
      {view.kind === 'running' ? (
        <RunningAgents runs={running.children} error={running.error} reload={running.reload} />
      ) : error ? (
        <LoadFailed title="The agent types could not be loaded" error={error} onRetry={load} />
      ) : list ? (
        <>
          <FieldError message={tryError} />
          <AgentTypeList list={list} onTry={tryIt} trying={trying} />
        </>
      ) : (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading agent types…</p>
      )}
    </div>
  );
}
