import type { McpServerConfig, SecretRef } from '@contract/mcp';
import { KeyRound, Plus, Trash2 } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Button, Card, FieldError } from '../components/ui';
import { errorMessage } from '../lib/api';
import { NewSecret } from './SecretSelect';
import { deleteSecret, loadSecretNames, saveSecret } from './mcp-api';

const secretOf = (value: string | SecretRef | undefined) => (typeof value === 'object' ? value.secret : undefined);

/** The servers whose configuration names each secret. */
function usersOf(configs: Record<string, McpServerConfig>): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const [server, config] of Object.entries(configs)) {
    const names = [...Object.values(config.env), ...Object.values(config.headers), config.bearer].map(secretOf);
    for (const name of new Set(names)) if (name !== undefined) users.set(name, [...(users.get(name) ?? []), server]);
  }
  return users;
}

/** The named secrets in secrets.json (names only: a value is never sent back), which servers use each, and removal. */
export function SecretsCard({ configs }: { configs: Record<string, McpServerConfig> }) {
  const [names, setNames] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const load = useCallback(() => {
    loadSecretNames().then(setNames, (e: unknown) => setError(errorMessage(e)));
  }, []);
  // Read again when the servers change: an import adds secrets.
  useEffect(load, [load, configs]);
  const cancelRemove = useCallback(() => setRemoving(null), []);
  const users = usersOf(configs);
  const remove = (name: string) => {
    setRemoving(null);
    setError(null);
    deleteSecret(name).then(load, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <Card
      title="Secrets"
      description="Values that servers' environment, headers and bearer tokens take by name, kept in .boxagnts/secrets.json. Their values are never shown again."
    >
      <FieldError message={error} />
      {names && names.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No secrets yet.</p>}
      {names && names.length > 0 && (
        <ul aria-label="Secrets" className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {names.map((name) => (
            <li key={name} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span className="min-w-0">
                <span className="flex items-center gap-1.5 font-mono text-sm break-all">
                  <KeyRound aria-hidden size={13} className="shrink-0" /> {name}
                </span>
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                  {users.has(name) ? `Used by ${users.get(name)!.join(', ')}` : 'Not used by any server'}
                </span>
              </span>
              <Button variant="danger-ghost" onClick={() => setRemoving(name)} aria-label={`Delete the secret ${name}`}>
                <Trash2 aria-hidden size={14} /> Delete
              </Button>
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <NewSecret
          suggestion=""
          onCancel={() => setAdding(false)}
          onCreate={async (name, value) => {
            await saveSecret(name, value);
            setAdding(false);
            load();
          }}
        />
      ) : (
        <Button className="mt-2" onClick={() => setAdding(true)}>
          <Plus aria-hidden size={15} /> Add a secret
        </Button>
      )}
      {removing && (
        <ConfirmDialog
          title={`Delete the secret ${removing}?`}
          message={
            users.has(removing)
              ? `${users.get(removing)!.join(', ')} cannot connect without it until it is set again.`
              : 'No server uses it.'
          }
          confirmLabel="Delete"
          onConfirm={() => remove(removing)}
          onCancel={cancelRemove}
        />
      )}
    </Card>
  );
}
