import { type ExtensionOrigin, type ExtensionProblem, type ToolDescription, ToolListSchema } from '@contract/tools';
import { ChevronRight, TriangleAlert } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { FieldError, PageHeader, Switch, cx, inputClass } from '../components/ui';
import { api, apiSend, errorMessage } from '../lib/api';
import { formatCount } from '../lib/format';
import { onGlobalEvents } from '../lib/global-events';

const folderPath = (origin: ExtensionOrigin, folder: string) =>
  origin === 'workspace' ? `.boxagnts/tools/${folder}` : `built-in: ${folder}`;

const LEVEL_STYLE: Record<ToolDescription['permissionLevel'], string> = {
  read: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  write: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  execute: 'bg-orange-100 text-orange-900 dark:bg-orange-950 dark:text-orange-200',
  network: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  host: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
};

/** Every word of the filter must appear in the tool's name, source or permission level (e.g. "wasm read"). */
function matches(tool: ToolDescription, filter: string): boolean {
  const haystack = [tool.name, tool.source, tool.permissionLevel].join(' ').toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

function ToolRow({ tool, onToggle }: { tool: ToolDescription; onToggle: (enabled: boolean) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="px-4 py-3">
      <div className="flex items-start gap-3">
        <button
          type="button"
          aria-expanded={open}
          aria-label={`Details of ${tool.name}`}
          onClick={() => setOpen(!open)}
          className="mt-0.5 rounded p-0.5 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <ChevronRight size={15} className={cx('transition-transform', open && 'rotate-90')} />
        </button>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-1.5">
            <span className={cx('font-mono text-sm font-medium', !tool.enabled && 'text-zinc-400 line-through')}>
              {tool.name}
            </span>
            <span className={cx('rounded px-1.5 py-0.5 text-xs font-medium', LEVEL_STYLE[tool.permissionLevel])}>
              {tool.permissionLevel}
            </span>
            <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
              {tool.source}
            </span>
            {tool.extension && (
              <span className="font-mono text-xs text-zinc-500">
                {folderPath(tool.extension.origin, tool.extension.folder)}
              </span>
            )}
            {tool.onRequest && (
              <span
                className="rounded border border-dashed border-zinc-300 px-1.5 py-0.5 text-xs text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
                title="Offered to the model by name only; tool_search gives it in full. List it in tools.offered to offer it always."
              >
                offered on request
              </span>
            )}
            {tool.extension?.state === 'preparing' && <span className="text-xs text-zinc-500">preparing module…</span>}
            <span className="text-xs text-zinc-500 dark:text-zinc-400" title="What its definition costs in a request">
              ~{formatCount(tool.tokens)} tokens
            </span>
          </div>
          <p className={cx('mt-1 text-sm text-zinc-600 dark:text-zinc-400', !open && 'line-clamp-2')}>
            {tool.description}
          </p>
          {open && (
            <pre className="mt-2 max-h-72 overflow-auto rounded-md bg-zinc-50 p-2 font-mono text-xs dark:bg-zinc-900">
              {JSON.stringify(tool.inputSchema, null, 2)}
            </pre>
          )}
        </div>
        <Switch
          checked={tool.enabled}
          onChange={onToggle}
          label={`${tool.enabled ? 'Disable' : 'Enable'} ${tool.name}`}
        />
      </div>
    </li>
  );
}

function Problems({ problems }: { problems: ExtensionProblem[] }) {
  return (
    <section
      aria-label="Tool folders that did not load"
      className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40"
    >
      <h2 className="flex items-center gap-2 text-sm font-semibold text-amber-900 dark:text-amber-200">
        <TriangleAlert size={15} />{' '}
        {problems.length === 1 ? 'A tool folder did not load' : `${problems.length} tool folders did not load`}
      </h2>
      <p className="mt-1 text-xs text-amber-900/80 dark:text-amber-200/80">
        The other tools work as usual. Fix the folder and it is picked up without a restart.
      </p>
      <ul className="mt-2 space-y-2">
        {problems.map((p) => (
          <li key={`${p.origin}/${p.folder}`} className="text-sm">
            <code className="font-mono text-xs font-semibold break-all">{folderPath(p.origin, p.folder)}</code>
            <p className="break-words text-amber-950 dark:text-amber-100">{p.message}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Every tool the agent can be offered, with its permission level, where it comes from, and an off switch; and the
 * WebAssembly tool folders that failed to load, with the reason. The list follows changes to the folders live.
 */
export function ToolsPage() {
  const [tools, setTools] = useState<ToolDescription[] | null>(null);
  const [problems, setProblems] = useState<ExtensionProblem[]>([]);
  const [offeredTokens, setOfferedTokens] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const load = useCallback(() => {
    api('/api/tools', ToolListSchema).then(
      (r) => {
        setTools(r.tools);
        setProblems(r.problems);
        setOfferedTokens(r.offeredTokens);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(
    () => onGlobalEvents({ onEvent: (event) => event.type === 'tools.changed' && load(), onRestart: load }),
    [load],
  );
  const toggle = (name: string, enabled: boolean) => {
    setError(null);
    apiSend(`/api/tools/${name}`, { method: 'PUT', body: { enabled } }).then(load, (e: unknown) =>
      setError(errorMessage(e)),
    );
  };
  const needle = filter.trim();
  const shown = tools?.filter((tool) => matches(tool, needle)) ?? [];
  return (
    <>
      <PageHeader
        title="Tools"
        description="Everything the agent can call. A switched-off tool is never offered to the model in this workspace; one offered on request is named to the model, which gets it in full through tool_search. Permission levels decide what asks first (Settings → Security). WebAssembly tools are loaded from .boxagnts/tools/ as they appear."
      />
      <FieldError message={error} />
      {problems.length > 0 && <Problems problems={problems} />}
      {offeredTokens !== null && (
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          Tool definitions cost about <strong>{formatCount(offeredTokens)} tokens</strong> in every request of a plain
          chat (those offered in full; the others are named in tool_search&apos;s description).
        </p>
      )}
      {tools && (
        <>
          <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1">
            <label htmlFor="tools-filter" className="text-sm font-medium">
              Filter tools
            </label>
            <input
              id="tools-filter"
              type="search"
              className={cx(inputClass, 'sm:max-w-xs')}
              placeholder="Name, source or level, e.g. write"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
              {needle ? `${formatCount(shown.length)} of ${formatCount(tools.length)} tools` : ''}
            </p>
          </div>
          {shown.length > 0 ? (
            <ul
              className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
              aria-label="Tools"
            >
              {shown.map((tool) => (
                <ToolRow key={tool.name} tool={tool} onToggle={(enabled) => toggle(tool.name, enabled)} />
              ))}
            </ul>
          ) : (
            <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              No tools match “{needle}”.
            </p>
          )}
        </>
      )}
    </>
  );
}
