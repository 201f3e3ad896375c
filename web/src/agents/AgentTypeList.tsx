import type { AgentDefinition, AgentList } from '@contract/agents';
import { Copy, FileWarning, MessageSquarePlus, Pencil, TriangleAlert } from 'lucide-react';
import type { ReactNode } from 'react';
import { Badge, Button, cx } from '../components/ui';
import { onLinkClick } from '../lib/router';
import { MODE_LABELS, ORIGIN_LABELS, workspaceFile } from './agents-api';

const usd = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 4 });

function ToolNames({ names, unknown }: { names: string[]; unknown: string[] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {names.map((name) =>
        unknown.includes(name) ? (
          <Badge key={name} tone="amber" title="No tool of this workspace has this name">
            <TriangleAlert aria-hidden size={11} />
            <span className="font-mono">{name}</span> (no such tool)
          </Badge>
        ) : (
          <code key={name} className="rounded bg-zinc-100 px-1 text-xs dark:bg-zinc-800">
            {name}
          </code>
        ),
      )}
    </span>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

function AgentFacts({ agent }: { agent: AgentDefinition }) {
  const limits = [
    agent.maxTurns !== undefined && `${agent.maxTurns} turns`,
    agent.budgetUsd !== undefined && `${usd.format(agent.budgetUsd)} budget`,
  ].filter(Boolean);
  return (
    <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
      <Fact term="Tools">
        {agent.tools === undefined ? (
          'All the parent has'
        ) : agent.tools.length === 0 ? (
          'None'
        ) : (
          <ToolNames names={agent.tools} unknown={agent.unknownTools} />
        )}
      </Fact>
      {agent.disallowedTools.length > 0 && (
        <Fact term="Disallowed">
          <ToolNames names={agent.disallowedTools} unknown={agent.unknownTools} />
        </Fact>
      )}
      <Fact term="Model">
        {agent.model ? <code className="text-xs break-all">{agent.model}</code> : "The parent's"}
      </Fact>
      <Fact term="Mode">
        {agent.permissionMode ? MODE_LABELS[agent.permissionMode] : "The parent's"}
        {agent.readOnly && ' · workspace mounted read-only'}
      </Fact>
      <Fact term="Limits">{limits.length ? limits.join(' · ') : 'Workspace defaults'}</Fact>
      <Fact term="Isolation">{agent.isolation === 'worktree' ? 'Git worktree' : 'None'}</Fact>
      {agent.skills.length > 0 && <Fact term="Skills">{agent.skills.join(', ')}</Fact>}
    </dl>
  );
}

function AgentRow({ agent, onTry, trying }: { agent: AgentDefinition; onTry: () => void; trying: boolean }) {
  const editable = agent.origin === 'workspace';
  const editPath = `/agents/edit/${agent.name}`;
  return (
    <li className="px-4 py-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 flex-1 basis-80">
          <div className="flex flex-wrap items-center gap-1.5">
            <h3 className="font-mono text-sm font-semibold">{agent.name}</h3>
            <Badge tone={editable ? 'teal' : 'neutral'}>{ORIGIN_LABELS[agent.origin]}</Badge>
            {agent.path && (
              <span className="font-mono text-xs break-all text-zinc-500 dark:text-zinc-400">{agent.path}</span>
            )}
          </div>
          <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">{agent.description}</p>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <Button onClick={onTry} disabled={trying} aria-label={`Try ${agent.name} in a new chat`}>
            <MessageSquarePlus aria-hidden size={15} /> {trying ? 'Starting…' : 'Try it'}
          </Button>
          <a
            href={editPath}
            onClick={onLinkClick(editPath)}
            aria-label={editable ? `Edit ${agent.name}` : `Copy ${agent.name} to the workspace`}
            title={editable ? undefined : `Saves ${workspaceFile(agent.name)}, which then takes the place of this one`}
            className="inline-flex items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800"
          >
            {editable ? <Pencil aria-hidden size={15} /> : <Copy aria-hidden size={15} />}
            {editable ? 'Edit' : 'Copy to workspace'}
          </a>
        </div>
      </div>
      {agent.unknownTools.length > 0 && (
        <p className="mt-2 flex items-start gap-1.5 text-sm text-amber-800 dark:text-amber-300">
          <TriangleAlert aria-hidden size={15} className="mt-0.5 shrink-0" />
          <span>
            {agent.unknownTools.join(', ')} {agent.unknownTools.length === 1 ? 'matches' : 'match'} no tool of this
            workspace and {agent.unknownTools.length === 1 ? 'is' : 'are'} ignored.
          </span>
        </p>
      )}
      <AgentFacts agent={agent} />
      {agent.instructions && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
            Instructions
          </summary>
          <pre className="mt-2 max-h-72 overflow-auto rounded-md bg-zinc-50 p-3 font-mono text-xs whitespace-pre-wrap dark:bg-zinc-950">
            {agent.instructions}
          </pre>
        </details>
      )}
    </li>
  );
}

function InvalidFiles({ files }: { files: AgentList['invalid'] }) {
  return (
    <section
      aria-label="Agent files that did not load"
      className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40"
    >
      <h2 className="flex items-center gap-2 text-sm font-semibold text-amber-900 dark:text-amber-200">
        <FileWarning aria-hidden size={15} />
        {files.length === 1 ? 'An agent file did not load' : `${files.length} agent files did not load`}
      </h2>
      <p className="mt-1 text-xs text-amber-900/80 dark:text-amber-200/80">
        The other agent types work as usual. Fix the file in an editor; it is read again on the next listing.
      </p>
      <ul className="mt-2 space-y-2">
        {files.map((file) => (
          <li key={file.path} className="text-sm">
            <code className="font-mono text-xs font-semibold break-all">{file.path}</code>{' '}
            <span className="text-xs text-amber-900/80 dark:text-amber-200/80">({ORIGIN_LABELS[file.origin]})</span>
            <p className="break-words text-amber-950 dark:text-amber-100">{file.problem}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ShadowedFiles({ files, agents }: { files: AgentList['shadowed']; agents: AgentDefinition[] }) {
  return (
    <section aria-labelledby="shadowed-heading" className="mt-6">
      <h2 id="shadowed-heading" className="text-sm font-semibold">
        Files not used
      </h2>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        An agent type of the same name was found first: the workspace's files come before Claude Code's, then
        opencode's.
      </p>
      <ul className="mt-2 space-y-1 text-sm">
        {files.map((file) => {
          const winner = agents.find((a) => a.name === file.name);
          return (
            <li key={file.path} className="break-words">
              <code className="font-mono text-xs">{file.path}</code>{' '}
              <span className="text-zinc-600 dark:text-zinc-400">
                ({ORIGIN_LABELS[file.origin]}): {file.name} is taken from{' '}
                {winner?.path ? <code className="font-mono text-xs">{winner.path}</code> : 'another file'}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The agent types with what each may do, the files that failed to load, and the files another one shadows. */
export function AgentTypeList({
  list,
  onTry,
  trying,
}: {
  list: AgentList;
  onTry: (name: string) => void;
  trying: string | null;
}) {
  const hasOwn = list.agents.some((agent) => agent.origin === 'workspace');
  return (
    <>
      {list.invalid.length > 0 && <InvalidFiles files={list.invalid} />}
      {!hasOwn && (
        <p className="mb-4 rounded-lg border border-dashed border-zinc-300 p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          This workspace has no agent files of its own yet. <strong>New agent</strong> writes one to{' '}
          <code>.boxagnts/agents/</code>; files in <code>.claude/agents/</code> and <code>.opencode/agent/</code> are
          read too.
        </p>
      )}
      <ul
        aria-label="Agent types"
        className={cx(
          'divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white',
          'dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900',
        )}
      >
        {list.agents.map((agent) => (
          <AgentRow key={agent.name} agent={agent} onTry={() => onTry(agent.name)} trying={trying === agent.name} />
        ))}
      </ul>
      {list.shadowed.length > 0 && <ShadowedFiles files={list.shadowed} agents={list.agents} />}
    </>
  );
}
