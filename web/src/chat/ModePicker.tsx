import { useEffect, useState } from 'react';
import { cx } from '../components/ui';
import { api, apiSend, errorMessage } from '../lib/api';
import type { PermissionMode } from '@contract/permissions';
import { SessionStateViewSchema } from '@contract/sessions';

const LABELS: Record<PermissionMode, string> = {
  default: 'Ask before changes',
  acceptEdits: 'Accept edits',
  plan: 'Plan (read only)',
  bypass: 'Bypass: allow all',
};

/** The session's permission mode; "Workspace" follows Settings → Security. */
export function ModePicker({
  sessionId,
  mode,
  onError,
}: {
  sessionId: string;
  mode: PermissionMode | null;
  onError: (message: string) => void;
}) {
  const [workspaceMode, setWorkspaceMode] = useState<PermissionMode | null>(null);
  useEffect(() => {
    // Without it the picker still works; only the hint of what "Workspace" means is missing, so a notice is enough.
    api(`/api/sessions/${sessionId}/state`, SessionStateViewSchema).then(
      (s) => setWorkspaceMode(s.workspaceMode),
      (e: unknown) => onError(`The workspace's permission mode could not be loaded: ${errorMessage(e)}`),
    );
  }, [sessionId, onError]);
  const effective = mode ?? workspaceMode;
  const change = (value: string) =>
    apiSend(`/api/sessions/${sessionId}/mode`, { method: 'PUT', body: { mode: value === '' ? null : value } }).catch(
      (e: unknown) => onError(errorMessage(e)),
    );
  return (
    <select
      aria-label="Permission mode"
      value={mode ?? ''}
      onChange={(e) => void change(e.target.value)}
      title="What the agent may do without asking, in this session"
      className={cx(
        'max-w-[7rem] truncate rounded-md border px-1.5 py-1 text-xs sm:max-w-none',
        effective === 'bypass'
          ? 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200'
          : 'border-zinc-300 bg-white text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200',
      )}
    >
      <option value="">Workspace{workspaceMode ? ` (${LABELS[workspaceMode]})` : ''}</option>
      {(Object.keys(LABELS) as PermissionMode[]).map((m) => (
        <option key={m} value={m}>
          {LABELS[m]}
        </option>
      ))}
    </select>
  );
}
