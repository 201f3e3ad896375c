import { McpAttachableSchema } from '@contract/commands';
import { McpOverviewSchema, McpResourceReadSchema } from '@contract/mcp';
import { Paperclip } from 'lucide-react';
import { type z } from 'zod';
import { useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';

type Attachable = z.output<typeof McpAttachableSchema>['resources'][number];

/**
 * Attaches an MCP server's resource to the message: its text is added below what the user typed, so it goes to the
 * model with the message. Shown only while some ready server has resources.
 */
export function ResourceAttach({ text, onText }: { text: string; onText(text: string): void }) {
  const id = useId();
  const [available, setAvailable] = useState(false);
  const [open, setOpen] = useState(false);
  const [resources, setResources] = useState<Attachable[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const check = () =>
      void api('/api/mcp', McpOverviewSchema).then(
        (overview) => setAvailable(overview.servers.some((s) => s.state === 'ready' && s.resources > 0)),
        // No overview, no attach button: the message box works as without MCP servers.
        () => setAvailable(false),
      );
    check();
    return onGlobalEvents({ onEvent: (event) => event.type === 'tools.changed' && check(), onRestart: check });
  }, []);

  useEffect(() => {
    if (!open) return;
    setResources(null);
    setProblem(null);
    api('/api/mcp/resources', McpAttachableSchema).then(
      (list) => setResources(list.resources),
      (error: unknown) => setProblem(errorMessage(error)),
    );
  }, [open]);

  const attach = async (resource: Attachable) => {
    try {
      const read = await api(
        `/api/mcp/servers/${encodeURIComponent(resource.server)}/resources/read?uri=${encodeURIComponent(resource.uri)}`,
        McpResourceReadSchema,
      );
      const body = read.contents
        .map((c) => (c.text !== undefined ? c.text : `[binary content, ${c.bytes ?? 0} bytes, not attached]`))
        .join('\n');
      onText(
        `${text.trimEnd()}${text.trim() ? '\n\n' : ''}Resource ${resource.uri} (MCP server ${resource.server}):\n\`\`\`\n${body}\n\`\`\`\n`,
      );
      setOpen(false);
      button.current?.focus();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  if (!available) return null;
  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        onClick={() => setOpen(!open)}
        className="inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-xs text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        <Paperclip size={13} aria-hidden /> Attach resource
      </button>
      {open && (
        <div
          id={`${id}-menu`}
          role="dialog"
          aria-label="Attach an MCP resource"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setOpen(false);
              button.current?.focus();
            }
          }}
          className="absolute bottom-full left-0 z-20 mb-2 max-h-72 w-80 max-w-[85vw] overflow-auto rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {problem && <p className="px-3 py-2 text-xs text-red-700 dark:text-red-300">{problem}</p>}
          {!resources && !problem && <p className="px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">Loading…</p>}
          {resources?.length === 0 && (
            <p className="px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">No resources right now.</p>
          )}
          <ul>
            {resources?.map((resource) => (
              <li key={`${resource.server} ${resource.uri}`}>
                <button
                  type="button"
                  onClick={() => void attach(resource)}
                  className="block w-full px-3 py-1.5 text-left text-sm hover:bg-zinc-50 focus:bg-zinc-50 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800"
                >
                  <span className="block truncate font-medium text-zinc-900 dark:text-zinc-100">{resource.name}</span>
                  <span className="block truncate font-mono text-xs text-zinc-600 dark:text-zinc-400">
                    {resource.server} · {resource.uri}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
