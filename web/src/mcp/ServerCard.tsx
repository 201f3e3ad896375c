import type { McpServerConfig, McpServerStatus } from '@contract/mcp';
import { ChevronRight, FileText, Pencil, RotateCw, Trash2 } from 'lucide-react';
import { useCallback, useId, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Badge, Button, FieldError, Switch, cx } from '../components/ui';
import { errorMessage } from '../lib/api';
import { onLinkClick } from '../lib/router';
import { LogPanel } from './LogPanel';
import { ServerExtras } from './ServerExtras';
import { ServerTools } from './ServerTools';
import { removeServer, restartServer, saveServer, setToolOverride } from './mcp-api';
import { StatusBadge, TRANSPORT_LABELS, count, plural, retryIn } from './status';

const linkButton =
  'inline-flex items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800';

/** Why a server is not ready, and when it tries again. */
function StateLine({ status, now }: { status: McpServerStatus; now: number }) {
  if (status.state === 'failed')
    return (
      <p className="mt-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm break-words text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-100">
        {status.reason ?? 'It failed and gave no reason.'}
        {status.retryAt && (
          <span className="block text-xs">
            Next attempt {retryIn(status.retryAt, now)} (failed {plural(status.attempts, 'time')} in a row). Restart
            tries at once.
          </span>
        )}
      </p>
    );
  if (status.state === 'connecting')
    return (
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Connecting{status.reason ? `: ${status.reason}` : '…'}
      </p>
    );
  if (status.state === 'disabled')
    return (
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Switched off: not started, its tools not offered.</p>
    );
  return null;
}

function Facts({ status }: { status: McpServerStatus }) {
  const enabled = status.tools.filter((t) => t.enabled);
  const tokens = enabled.reduce((sum, t) => sum + t.tokens, 0);
  const facts = [
    TRANSPORT_LABELS[status.transport],
    status.serverInfo && `${status.serverInfo.name} ${status.serverInfo.version}`,
    status.protocolVersion && `protocol ${status.protocolVersion}`,
    status.state === 'ready' &&
      `${plural(status.tools.length, 'tool')}${enabled.length < status.tools.length ? ` (${enabled.length} on)` : ''}`,
    status.state === 'ready' && `~${count.format(tokens)} tokens`,
  ].filter(Boolean);
  return <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{facts.join(' · ')}</p>;
}

/**
 * One configured server: its state, what it is, its switch and actions, and (opened on demand) its tools with their
 * switches and levels, its resources and prompts, and its log.
 */
export function ServerCard({
  status,
  config,
  now,
  reload,
}: {
  status: McpServerStatus;
  config: McpServerConfig | undefined;
  now: number;
  reload: () => void;
}) {
  const { name } = status;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'restart' | 'switch' | 'remove' | null>(null);
  const [showTools, setShowTools] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const toolsId = useId();
  const closeLog = useCallback(() => setShowLog(false), []);
  const cancelRemove = useCallback(() => setConfirmRemove(false), []);

  const act = (kind: 'restart' | 'switch' | 'remove', action: () => Promise<unknown>) => {
    setBusy(kind);
    setError(null);
    action()
      .then(reload, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setBusy(null));
  };
  const enabled = config?.enabled ?? status.state !== 'disabled';
  const editPath = `/mcp/edit/${name}`;
  const tokens = status.tools.filter((t) => t.enabled).reduce((sum, t) => sum + t.tokens, 0);

  return (
    <li className="px-4 py-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0 flex-1 basis-64">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-mono text-sm font-semibold break-all">{name}</h3>
            <StatusBadge state={status.state} />
            {config?.readOnly && <Badge tone="teal">read-only</Badge>}
          </div>
          <Facts status={status} />
        </div>
        <div className="flex shrink-0 items-center gap-2 text-sm">
          <Switch
            checked={enabled}
            disabled={busy !== null || !config}
            onChange={(on) => config && act('switch', () => saveServer(name, { ...config, enabled: on }))}
            label={`${enabled ? 'Disable' : 'Enable'} ${name}`}
          />
          <span aria-hidden>{enabled ? 'On' : 'Off'}</span>
        </div>
      </div>
      <StateLine status={status} now={now} />
      <FieldError message={error} />
      <div className="mt-3 flex flex-wrap gap-2">
        <a href={editPath} onClick={onLinkClick(editPath)} className={linkButton} aria-label={`Edit ${name}`}>
          <Pencil aria-hidden size={15} /> Edit
        </a>
        <Button
          onClick={() => act('restart', () => restartServer(name))}
          disabled={busy !== null || status.state === 'disabled'}
          aria-label={`Restart ${name}`}
        >
          <RotateCw aria-hidden size={15} className={busy === 'restart' ? 'animate-spin' : undefined} />
          {busy === 'restart' ? 'Restarting…' : 'Restart'}
        </Button>
        <Button onClick={() => setShowLog(!showLog)} aria-expanded={showLog} aria-label={`View the log of ${name}`}>
          <FileText aria-hidden size={15} /> {showLog ? 'Hide log' : 'View log'}
        </Button>
        <Button
          variant="danger-ghost"
          onClick={() => setConfirmRemove(true)}
          disabled={busy !== null}
          aria-label={`Remove ${name}`}
        >
          <Trash2 aria-hidden size={15} /> Remove
        </Button>
      </div>
      {showLog && <LogPanel name={name} onClose={closeLog} />}
      {status.state === 'ready' && (
        <div className="mt-3 space-y-2">
          <div>
            <button
              type="button"
              aria-expanded={showTools}
              aria-controls={toolsId}
              onClick={() => setShowTools(!showTools)}
              className="inline-flex items-center gap-1 rounded text-sm font-medium text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white"
            >
              <ChevronRight aria-hidden size={15} className={cx('transition-transform', showTools && 'rotate-90')} />
              Tools ({count.format(status.tools.length)}) · ~{count.format(tokens)} tokens
            </button>
            {showTools && (
              <div id={toolsId} className="mt-2 pl-5">
                <ServerTools
                  name={name}
                  tools={status.tools}
                  config={config}
                  onChange={(tool, override) => act('switch', () => setToolOverride(name, tool, override))}
                />
              </div>
            )}
          </div>
          <ServerExtras server={name} resources={status.resources} prompts={status.prompts} />
        </div>
      )}
      {confirmRemove && (
        <ConfirmDialog
          title={`Remove ${name}?`}
          message={`${name} is removed from the settings and stopped; its tools are no longer offered. Secrets it uses stay in secrets.json.`}
          confirmLabel="Remove"
          busy={busy === 'remove'}
          onConfirm={() => {
            setConfirmRemove(false);
            act('remove', () => removeServer(name));
          }}
          onCancel={cancelRemove}
        />
      )}
    </li>
  );
}
