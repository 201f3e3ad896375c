import type { McpServerConfig, McpToolInfo } from '@contract/mcp';
import { PERMISSION_LEVELS, type PermissionLevel } from '@contract/permissions';
import { ChevronRight, Info } from 'lucide-react';
import { useId, useState } from 'react';
import { Badge, Switch, cx, inputClass } from '../components/ui';
import { count } from './status';

type Override = McpServerConfig['tools'][string];

function ToolRow({
  tool,
  override,
  serverLevel,
  onChange,
}: {
  tool: McpToolInfo;
  override: Override | undefined;
  serverLevel: PermissionLevel;
  onChange: (override: Override) => void;
}) {
  const [open, setOpen] = useState(false);
  const levelId = useId();
  const schemaId = useId();
  const { readOnlyHint, destructiveHint } = tool.annotations ?? {};
  return (
    <li className="py-3">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span
              className={cx(
                'font-mono text-sm font-medium break-all',
                !tool.enabled && 'text-zinc-500 line-through dark:text-zinc-400',
              )}
            >
              {tool.toolName}
            </span>
            <span className="text-xs text-zinc-600 dark:text-zinc-400" title="About this many tokens in every request">
              ~{count.format(tool.tokens)} tokens
            </span>
            {readOnlyHint && (
              <Badge tone="neutral" title="The server says this tool only reads. The level above still applies.">
                read-only hint
              </Badge>
            )}
            {destructiveHint && (
              <Badge tone="amber" title="The server says this tool may change or delete things.">
                destructive hint
              </Badge>
            )}
          </div>
          {tool.description && (
            <p className={cx('mt-1 text-sm text-zinc-600 dark:text-zinc-400', !open && 'line-clamp-2')}>
              {tool.description}
            </p>
          )}
          <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-2">
            <div className="flex items-center gap-2">
              <label htmlFor={levelId} className="text-xs font-medium text-zinc-700 dark:text-zinc-300">
                Level
              </label>
              <select
                id={levelId}
                aria-label={`Level of ${tool.name}`}
                className={cx(inputClass.replace('w-full ', ''), 'py-1 text-xs')}
                value={override?.level ?? ''}
                onChange={(event) => {
                  const level = event.target.value as PermissionLevel | '';
                  const { level: _previous, ...rest } = override ?? {};
                  onChange(level ? { ...rest, level } : rest);
                }}
              >
                <option value="">Server's ({serverLevel})</option>
                {PERMISSION_LEVELS.map((level) => (
                  <option key={level} value={level}>
                    {level}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              aria-expanded={open}
              aria-controls={schemaId}
              onClick={() => setOpen(!open)}
              className="inline-flex items-center gap-1 rounded text-xs font-medium text-teal-800 hover:underline dark:text-teal-300"
            >
              <ChevronRight aria-hidden size={13} className={cx('transition-transform', open && 'rotate-90')} />
              Input schema<span className="sr-only"> of {tool.name}</span>
            </button>
          </div>
          {open && (
            <pre
              id={schemaId}
              className="mt-2 max-h-72 overflow-auto rounded-md bg-zinc-50 p-2 font-mono text-xs dark:bg-zinc-950"
            >
              {JSON.stringify(tool.inputSchema, null, 2)}
            </pre>
          )}
        </div>
        <Switch
          checked={tool.enabled}
          onChange={(enabled) => onChange({ ...override, enabled })}
          label={`${tool.enabled ? 'Disable' : 'Enable'} ${tool.name}`}
        />
      </div>
    </li>
  );
}

/**
 * A ready server's tools, each with its level and an off switch. The server's annotations are shown as what they
 * are, hints: a tool the server calls read-only is still judged at the level set here.
 */
export function ServerTools({
  name,
  tools,
  config,
  onChange,
}: {
  name: string;
  tools: McpToolInfo[];
  config: McpServerConfig | undefined;
  onChange: (tool: string, override: Override) => void;
}) {
  const serverLevel = config?.level ?? (config?.readOnly ? 'read' : 'execute');
  if (tools.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">{name} has no tools.</p>;
  return (
    <>
      <p className="flex items-start gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
        <Info aria-hidden size={13} className="mt-0.5 shrink-0" />
        <span>
          The level decides when a call asks first (Settings → Security). Hints are the server's own words about a tool:
          they are shown, and never lower its level.
        </span>
      </p>
      <ul aria-label={`Tools of ${name}`} className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {tools.map((tool) => (
          <ToolRow
            key={tool.name}
            tool={tool}
            override={config?.tools[tool.name]}
            serverLevel={serverLevel}
            onChange={(override) => onChange(tool.name, override)}
          />
        ))}
      </ul>
    </>
  );
}
