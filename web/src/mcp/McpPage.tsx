import type { McpOverview, McpServerConfig } from '@contract/mcp';
import { Download, Gauge, Plug, Plus } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Button, PageHeader, cx } from '../components/ui';
import { errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { useNow } from '../lib/use-now';
import { navigate } from '../lib/router';
import { LoadFailed } from '../models/bits';
import { ImportPanel } from './ImportPanel';
import { SecretsCard } from './SecretsCard';
import { ServerCard } from './ServerCard';
import { ServerForm } from './ServerForm';
import { loadConfigs, loadOverview } from './mcp-api';
import { count } from './status';

type View = { kind: 'list' } | { kind: 'form'; name: string | undefined };

/** `/mcp`, `/mcp/new` and `/mcp/edit/NAME`. */
function viewOf(path: string): View {
  const [, , first, second] = path.split('/');
  if (first === 'new') return { kind: 'form', name: undefined };
  if (first === 'edit' && second) return { kind: 'form', name: decodeURIComponent(second) };
  return { kind: 'list' };
}

/** What the tool definitions of every server cost in each request, and whether they are offered by name only. */
function CostBanner({ overview }: { overview: McpOverview }) {
  return (
    <section
      aria-label="Cost of MCP tools"
      className={cx(
        'mb-5 flex items-start gap-3 rounded-lg border p-4 text-sm',
        overview.deferred
          ? 'border-amber-200 bg-amber-50 text-amber-950 dark:border-amber-900 dark:bg-amber-950/50 dark:text-amber-100'
          : 'border-zinc-200 bg-zinc-50 text-zinc-800 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-200',
      )}
    >
      <Gauge aria-hidden size={18} className="mt-0.5 shrink-0" />
      <div>
        <p className="font-medium">
          {overview.toolTokens
            ? `MCP tool definitions: ~${count.format(overview.toolTokens)} tokens in every request`
            : 'MCP tool definitions: none in requests, as no ready server has a tool switched on'}
        </p>
        <p className="mt-0.5">
          {overview.deferred
            ? 'Offered by name only: with more than 40 tools in all, or definitions past 10\u00a0% of the model’s context window, tool_search gives the agent a tool in full when it asks. List some in tools.offered to offer them always.'
            : 'Offered in full. Past 40 tools in all, or 10\u00a0% of the model’s context window, they are offered by name only and tool_search reveals them.'}
        </p>
      </div>
    </section>
  );
}

function ServerList() {
  const [overview, setOverview] = useState<McpOverview | null>(null);
  const [configs, setConfigs] = useState<Record<string, McpServerConfig>>({});
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  /** Answers can arrive out of order while a server connects: only the latest load is shown. */
  const latest = useRef(0);
  const load = useCallback(() => {
    const mine = ++latest.current;
    Promise.all([loadOverview(), loadConfigs()]).then(
      ([loaded, servers]) => {
        if (mine !== latest.current) return;
        setOverview(loaded);
        setConfigs(servers);
        setError(null);
      },
      (e: unknown) => mine === latest.current && setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(
    () => onGlobalEvents({ onEvent: (event) => event.type === 'tools.changed' && load(), onRestart: load }),
    [load],
  );
  const now = useNow(overview?.servers.some((s) => s.state === 'failed' && s.retryAt) ?? false);

  return (
    <>
      <PageHeader
        title="MCP servers"
        description="Tool sources that speak the Model Context Protocol. Their tools are offered as mcp__SERVER__TOOL and pass the same permission rules as every other tool."
        actions={
          <>
            <Button onClick={() => setImporting(!importing)} aria-expanded={importing}>
              <Download aria-hidden size={15} /> Import
            </Button>
            <Button variant="primary" onClick={() => navigate('/mcp/new')}>
              <Plus aria-hidden size={15} /> Add server
            </Button>
          </>
        }
      />
      {importing && <ImportPanel onClose={() => setImporting(false)} onImported={load} />}
      {error && (
        <div className="mb-4">
          <LoadFailed title="The MCP servers could not be loaded" error={error} onRetry={load} />
        </div>
      )}
      {overview === null ? (
        !error && <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading MCP servers…</p>
      ) : overview.servers.length === 0 ? (
        <EmptyState icon={Plug} title="No MCP servers yet">
          <p>
            <strong>Add server</strong> starts a local command or reaches a URL; <strong>Import</strong> takes the
            servers of Claude Code, Cursor or opencode found in this workspace.
          </p>
        </EmptyState>
      ) : (
        <>
          <CostBanner overview={overview} />
          <ul
            aria-label="MCP servers"
            className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
          >
            {overview.servers.map((status) => (
              <ServerCard key={status.name} status={status} config={configs[status.name]} now={now} reload={load} />
            ))}
          </ul>
        </>
      )}
      {overview !== null && (
        <div className="mt-6">
          <SecretsCard configs={configs} />
        </div>
      )}
    </>
  );
}

/** The MCP page: the configured servers with their state and tools, and the form that adds or edits one. */
export function McpPage({ path }: { path: string }) {
  const view = viewOf(path);
  const top = useRef<HTMLDivElement>(null);
  // The list and the form share the page's scroll area: each starts at its top, not where the other was left.
  useEffect(() => {
    top.current?.closest('main')?.scrollTo({ top: 0 });
  }, [view.kind]);
  return (
    <div ref={top}>{view.kind === 'form' ? <ServerForm key={view.name ?? ''} name={view.name} /> : <ServerList />}</div>
  );
}
