import type { Preset, ProviderBody, ProviderView } from '@contract/models';
import type { ModelOverride } from '@contract/settings';
import { Pencil, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Badge, Button, Card, FieldError, Switch } from '../components/ui';
import { apiSend } from '../lib/api';
import { AddModelForm } from './AddModelForm';
import { ConnectionTools } from './ConnectionTools';
import { LocalServerPanel } from './LocalServerPanel';
import { ModelRow } from './ModelRow';
import { ProviderForm } from './ProviderForm';
import { ServerWindow } from './ServerWindow';
import { KeyStatus, Spin } from './bits';
import { KIND_LABELS, bodyOf, errorText, overridesOf, providerTitle, putProvider } from './types';
import { shownServer, useLocalServer } from './useLocalServer';

export function ProviderCard({
  provider,
  preset,
  defaultModel,
  scrollOnMount,
  onSaved,
  onDeleted,
  onSetDefault,
}: {
  provider: ProviderView;
  preset: Preset | undefined;
  defaultModel: string | null;
  scrollOnMount: boolean;
  onSaved: (provider: ProviderView) => void;
  onDeleted: () => Promise<void>;
  onSetDefault: (modelRef: string | null) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  const title = providerTitle(provider, preset);
  const modelIds = Object.keys(provider.models);
  const prefix = `${provider.id}/`;
  const defaultModelHere = defaultModel?.startsWith(prefix) ? defaultModel.slice(prefix.length) : null;
  const local = useLocalServer(provider);
  const server = shownServer(local.state);

  useEffect(() => {
    if (scrollOnMount) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [scrollOnMount]);

  /** Every change re-sends the whole provider, so changes go one at a time (`saving` locks the others). */
  const save = async (change: Partial<ProviderBody>) => {
    setSaving(true);
    try {
      onSaved(await putProvider(provider.id, { ...bodyOf(provider), ...change }));
    } finally {
      setSaving(false);
    }
  };

  const withModels = (models: Record<string, ModelOverride>) => save({ models });

  const toggleEnabled = async (enabled: boolean) => {
    setToggling(true);
    setError(null);
    try {
      await save({ enabled });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setToggling(false);
    }
  };

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await apiSend(`/api/providers/${encodeURIComponent(provider.id)}`, { method: 'DELETE' });
      await onDeleted();
    } catch (e) {
      setError(errorText(e));
      setDeleting(false);
    }
  };

  if (editing) {
    return (
      <Card title={`Edit ${title}`}>
        <ProviderForm
          target={{ mode: 'edit', provider, preset }}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            onSaved(saved);
            setEditing(false);
          }}
        />
      </Card>
    );
  }

  return (
    <section
      ref={ref}
      aria-label={title}
      className="scroll-mt-4 rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="p-4 sm:p-5">
        <div className="flex items-start justify-between gap-3">
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            <h2 className="text-base font-semibold">{title}</h2>
            <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
              {provider.id}
            </code>
            <KeyStatus provider={provider} local={preset?.local === true} />
            {!provider.enabled && <Badge tone="amber">Off</Badge>}
          </div>
          <div className="flex shrink-0 items-center gap-2">
            {toggling && <Spin />}
            <span className="text-sm text-zinc-600 dark:text-zinc-400">
              {provider.enabled ? 'Enabled' : 'Disabled'}
            </span>
            <Switch
              checked={provider.enabled}
              label={`${title} enabled`}
              disabled={saving}
              onChange={(v) => void toggleEnabled(v)}
            />
          </div>
        </div>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {KIND_LABELS[provider.kind]}
          <span className="hidden sm:inline"> · </span>
          <span className="block font-mono text-xs break-all sm:inline">{provider.baseURL}</span>
        </p>

        {confirmDelete ? (
          <div className="mt-3 flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950/60 dark:text-red-100">
            <span className="mr-auto">
              Delete {title}? Its {modelIds.length === 1 ? 'model goes' : `${modelIds.length} models go`} with it
              {provider.keySource === 'secrets' ? ', and its stored key is erased' : ''}
              {defaultModelHere ? ', and there will be no default model' : ''}.
            </span>
            <Button variant="danger" disabled={deleting} onClick={() => void remove()}>
              {deleting && <Spin />} Delete provider
            </Button>
            <Button disabled={deleting} onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
          </div>
        ) : (
          <div className="mt-3 flex flex-wrap gap-2">
            <Button disabled={saving} onClick={() => setEditing(true)}>
              <Pencil aria-hidden size={15} /> Edit
            </Button>
            <Button variant="danger-ghost" disabled={saving} onClick={() => setConfirmDelete(true)}>
              <Trash2 aria-hidden size={15} /> Delete
            </Button>
          </div>
        )}
        <FieldError message={error} />
      </div>

      <div className="border-t border-zinc-200 px-4 py-4 sm:px-5 dark:border-zinc-800">
        <h3 className="mb-2 text-sm font-semibold">
          Models <span className="font-normal text-zinc-500">{modelIds.length || ''}</span>
        </h3>
        {modelIds.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {preset?.local
              ? 'No models yet. Discover the ones this server has, or type an id.'
              : 'No models yet. Discover what the provider offers, or type a model id.'}
          </p>
        ) : (
          <ul className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {modelIds.map((modelId) => {
              const model = provider.models[modelId]!;
              return (
                <ModelRow
                  key={modelId}
                  modelId={modelId}
                  model={model}
                  isDefault={defaultModelHere === modelId}
                  locked={saving}
                  onMakeDefault={() => onSetDefault(`${provider.id}/${modelId}`)}
                  onRemove={async () => {
                    // Unset first: a default naming a model that is gone would break every run that relies on it.
                    if (defaultModelHere === modelId) await onSetDefault(null);
                    const { [modelId]: _removed, ...rest } = overridesOf(provider);
                    await withModels(rest);
                  }}
                  onSaveOverride={(override) => withModels({ ...overridesOf(provider), [modelId]: override })}
                  server={
                    provider.localServer && (
                      <ServerWindow
                        modelId={modelId}
                        window={server?.windows[modelId]}
                        ollama={provider.kind === 'ollama'}
                        override={model.override}
                        locked={saving}
                        onSaveOverride={(override) => withModels({ ...overridesOf(provider), [modelId]: override })}
                      />
                    )
                  }
                />
              );
            })}
          </ul>
        )}
        <AddModelForm
          existing={modelIds}
          locked={saving}
          onAdd={(modelId) => withModels({ ...overridesOf(provider), [modelId]: {} })}
        />
      </div>

      {provider.localServer && (
        <div className="border-t border-zinc-200 px-4 py-4 sm:px-5 dark:border-zinc-800">
          <LocalServerPanel
            provider={provider}
            state={local.state}
            reload={local.reload}
            locked={saving}
            onAddModel={(name) => withModels({ ...overridesOf(provider), [name]: {} })}
            // The same server, through its own API: the address without /v1.
            onUseOllamaApi={() => save({ kind: 'ollama', baseURL: provider.baseURL.replace(/\/v1\/?$/, '') })}
          />
        </div>
      )}

      <div className="border-t border-zinc-200 px-4 py-4 sm:px-5 dark:border-zinc-800">
        <ConnectionTools
          provider={provider}
          defaultModelHere={defaultModelHere}
          locked={saving}
          onAddModels={(ids) =>
            withModels({ ...overridesOf(provider), ...Object.fromEntries(ids.map((m) => [m, {}])) })
          }
        />
      </div>
    </section>
  );
}

// ---- The page ----
