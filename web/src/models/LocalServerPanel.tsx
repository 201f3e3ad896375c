import {
  type InstalledModel,
  type LocalServer,
  type LocalServerKind,
  type Pull,
  PullSchema,
} from '@contract/local-models';
import type { ProviderView } from '@contract/models';
import { Download, HardDrive, Plus, RefreshCw, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Badge, Button, FieldError, cx, inputClass } from '../components/ui';
import { api, apiSend } from '../lib/api';
import { formatBytes } from '../lib/format';
import { PullProgress } from './PullProgress';
import { SERVER_CONTEXT_SOURCES } from './ServerWindow';
import { BusyIcon, Notice, Spin } from './bits';
import { compact, errorText, exact } from './types';
import { type LocalServerState, shownServer } from './useLocalServer';

const KIND_NAMES: Record<LocalServerKind, string> = {
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  llamacpp: 'llama.cpp',
  vllm: 'vLLM',
};

/**
 * What the provider's model server is and has: for every kind the models with the context they run at; for Ollama
 * also pulling new models (with progress that survives leaving the page) and uninstalling them.
 */
export function LocalServerPanel({
  provider,
  state,
  reload,
  locked,
  onAddModel,
  onUseOllamaApi,
}: {
  provider: ProviderView;
  state: LocalServerState;
  reload: (probe?: boolean) => Promise<void>;
  locked: boolean;
  onAddModel: (name: string) => Promise<void>;
  /** Moves an OpenAI-compatible provider that turned out to be Ollama onto Ollama's own API. */
  onUseOllamaApi: () => Promise<void>;
}) {
  const server = shownServer(state);
  const loading = state.status === 'loading' || state.status === 'idle';
  const [switching, setSwitching] = useState(false);
  const [switchError, setSwitchError] = useState<string | null>(null);

  const title = server?.kind ? `${KIND_NAMES[server.kind]} server` : 'Model server';

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="mr-auto flex items-center gap-1.5 text-sm font-semibold">
          <HardDrive aria-hidden size={15} /> {title}
          {server?.version && <span className="font-normal text-zinc-600 dark:text-zinc-400">{server.version}</span>}
        </h3>
        <Button variant="ghost" disabled={loading} onClick={() => void reload(true)}>
          <BusyIcon busy={loading} icon={RefreshCw} /> Check the server again
        </Button>
      </div>

      {state.status === 'failed' && (
        <Notice tone="error" title="Could not ask the server">
          {state.message}
        </Notice>
      )}
      {!server && loading && <p className="text-sm text-zinc-600 dark:text-zinc-400">Asking the server…</p>}
      {server && !server.reachable && (
        <Notice tone="warn" title="The server does not answer">
          {`${server.error ?? 'No answer.'}\n`}Runs use the catalog’s context windows until it answers.
        </Notice>
      )}
      {server?.reachable && server.kind === null && (
        <Notice tone="warn" title="Unknown server">
          {`${server.error ?? ''}\n`}Runs use the catalog’s context windows.
        </Notice>
      )}
      {server?.kind === 'ollama' && provider.kind === 'openai-compatible' && (
        <Notice tone="warn" title="Ollama through its OpenAI endpoint">
          There every model runs at the server’s default context, and longer prompts are cut without a word; a context
          length set here cannot reach it. Ollama’s own API takes one with each request.
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <Button
              disabled={switching || locked}
              onClick={() => {
                setSwitching(true);
                setSwitchError(null);
                onUseOllamaApi()
                  .catch((e: unknown) => setSwitchError(errorText(e)))
                  .finally(() => setSwitching(false));
              }}
            >
              {switching && <Spin />} Use Ollama’s own API
            </Button>
          </div>
          <FieldError message={switchError} />
        </Notice>
      )}

      {server?.reachable && server.kind !== null && (
        <InstalledModels
          provider={provider}
          server={server}
          locked={locked}
          onAddModel={onAddModel}
          onChanged={() => reload()}
        />
      )}
      {server?.manageable && <Pulls provider={provider} server={server} onFinished={() => reload()} />}
    </div>
  );
}

function InstalledModels({
  provider,
  server,
  locked,
  onAddModel,
  onChanged,
}: {
  provider: ProviderView;
  server: LocalServer;
  locked: boolean;
  onAddModel: (name: string) => Promise<void>;
  onChanged: () => Promise<void>;
}) {
  if (server.models.length === 0)
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {server.manageable ? 'No models installed yet. Pull one below.' : 'The server lists no models.'}
      </p>
    );
  return (
    <ul
      aria-label={`Models on the ${server.kind ? KIND_NAMES[server.kind] : ''} server`}
      className="divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
    >
      {server.models.map((model) => (
        <InstalledRow
          key={model.name}
          provider={provider}
          model={model}
          manageable={server.manageable}
          configured={isConfigured(provider, model.name, server.kind)}
          locked={locked}
          onAddModel={onAddModel}
          onChanged={onChanged}
        />
      ))}
    </ul>
  );
}

/** Ollama reads `llama3.1` as `llama3.1:latest`. */
function isConfigured(provider: ProviderView, name: string, kind: LocalServerKind | null): boolean {
  const ids = Object.keys(provider.models);
  if (kind !== 'ollama') return ids.includes(name);
  const tagged = (id: string) => (/:[^/]*$/.test(id) ? id : `${id}:latest`);
  return ids.some((id) => tagged(id) === tagged(name));
}

function InstalledRow({
  provider,
  model,
  manageable,
  configured,
  locked,
  onAddModel,
  onChanged,
}: {
  provider: ProviderView;
  model: InstalledModel;
  manageable: boolean;
  configured: boolean;
  locked: boolean;
  onAddModel: (name: string) => Promise<void>;
  onChanged: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'add' | 'delete' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const uninstallButton = useRef<HTMLButtonElement>(null);
  const keep = () => {
    setConfirming(false);
    // The confirmation had the focus; it goes back to the button that opened it.
    requestAnimationFrame(() => uninstallButton.current?.focus());
  };

  const act = async (what: 'add' | 'delete', action: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await action();
      setConfirming(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const uninstall = () =>
    act('delete', async () => {
      await apiSend(`/api/providers/${encodeURIComponent(provider.id)}/models/${encodeURIComponent(model.name)}`, {
        method: 'DELETE',
      });
      await onChanged();
    });

  const facts = [
    model.parameterSize,
    model.quantization,
    model.family,
    model.sizeBytes ? formatBytes(model.sizeBytes) : undefined,
  ].filter((fact): fact is string => Boolean(fact));

  return (
    <li className="px-3 py-2.5">
      <div className="flex flex-col gap-1 sm:flex-row sm:items-start sm:justify-between sm:gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <code className="text-sm font-medium break-all">{model.name}</code>
            {model.loaded && (
              <Badge tone="teal" title="Loaded in the server's memory">
                In memory{model.loaded.context ? ` · ${compact.format(model.loaded.context)} context` : ''}
              </Badge>
            )}
            {configured && <Badge>Added</Badge>}
          </div>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            {facts.join(' · ')}
            {facts.length > 0 && ' · '}
            Context{' '}
            {model.serverContext !== undefined ? (
              <>
                <span className="font-mono">{exact.format(model.serverContext)}</span>
                {model.serverContextFrom && ` (${SERVER_CONTEXT_SOURCES[model.serverContextFrom]})`}
              </>
            ) : (
              'not known'
            )}
            {model.maxContext !== undefined && (
              <>
                {' '}
                of at most <span className="font-mono">{exact.format(model.maxContext)}</span>
              </>
            )}
          </p>
        </div>
        <div className="-ml-3 flex shrink-0 items-center gap-1 sm:ml-0">
          {!configured && (
            <Button
              variant="ghost"
              disabled={locked || busy !== null}
              aria-label={`Add ${model.name} to the models`}
              title="Add to this provider's models"
              onClick={() => void act('add', () => onAddModel(model.name))}
            >
              <BusyIcon busy={busy === 'add'} icon={Plus} /> Add
            </Button>
          )}
          {manageable && !confirming && (
            <Button
              ref={uninstallButton}
              variant="danger-ghost"
              aria-label={`Uninstall ${model.name}`}
              title="Uninstall from Ollama"
              disabled={busy !== null}
              onClick={() => setConfirming(true)}
            >
              <Trash2 aria-hidden size={15} />
            </Button>
          )}
        </div>
      </div>
      {confirming && (
        <div
          onKeyDown={(e) => e.key === 'Escape' && busy === null && keep()}
          className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950/60 dark:text-red-100"
        >
          <span className="mr-auto">
            Uninstall {model.name} from Ollama? Its files{model.sizeBytes ? ` (${formatBytes(model.sizeBytes)})` : ''}{' '}
            are deleted from the server’s disk{configured ? '; it stays in this provider’s models' : ''}.
          </span>
          <Button variant="danger" disabled={busy !== null} onClick={() => void uninstall()} autoFocus>
            {busy === 'delete' && <Spin />} Yes, uninstall
          </Button>
          <Button disabled={busy !== null} onClick={keep}>
            Keep it
          </Button>
        </div>
      )}
      <FieldError message={error} />
    </li>
  );
}

/** The "Pull a model" field and the downloads of this provider, running or just finished. */
function Pulls({
  provider,
  server,
  onFinished,
}: {
  provider: ProviderView;
  server: LocalServer;
  onFinished: () => Promise<void>;
}) {
  const [pulls, setPulls] = useState<Pull[]>(server.pulls);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [draft, setDraft] = useState('');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uid = useId();
  const base = `/api/providers/${encodeURIComponent(provider.id)}`;

  // The server's list is the truth after each reload; a pull followed here may be ahead of it.
  useEffect(() => {
    setPulls((mine) =>
      server.pulls.map((theirs) => {
        const ours = mine.find((p) => p.id === theirs.id);
        return ours && ours.state !== 'running' ? ours : theirs;
      }),
    );
  }, [server.pulls]);

  const update = (pull: Pull) => {
    setPulls((all) =>
      all.some((p) => p.id === pull.id) ? all.map((p) => (p.id === pull.id ? pull : p)) : [...all, pull],
    );
    if (pull.state !== 'running') void onFinished();
  };

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const model = draft.trim();
    if (!model) return;
    setStarting(true);
    setError(null);
    try {
      const pull = await api(`${base}/pull`, PullSchema, { method: 'POST', body: { model } });
      setPulls((all) => (all.some((p) => p.id === pull.id) ? all : [...all, pull]));
      setDismissed((d) => new Set([...d].filter((id) => id !== pull.id)));
      setDraft('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarting(false);
    }
  };

  const cancel = (pull: Pull) =>
    apiSend(`${base}/pulls/${encodeURIComponent(pull.id)}`, { method: 'DELETE' }).catch((e: unknown) =>
      setError(errorText(e)),
    );

  const shown = pulls.filter((p) => !dismissed.has(p.id));

  return (
    <div className="space-y-2">
      <form onSubmit={(e) => void start(e)} className="flex flex-wrap items-end gap-2" noValidate>
        <div className="min-w-0 flex-1 sm:max-w-sm">
          <label htmlFor={`${uid}-pull`} className="mb-1 block text-sm font-medium">
            Pull a model
          </label>
          <input
            id={`${uid}-pull`}
            className={cx(inputClass, 'font-mono')}
            placeholder="llama3.2 or qwen2.5-coder:7b"
            spellCheck={false}
            autoComplete="off"
            value={draft}
            aria-describedby={`${uid}-pull-hint`}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setDraft(e.target.value)}
          />
        </div>
        <Button type="submit" variant="primary" disabled={starting || draft.trim() === ''}>
          <BusyIcon busy={starting} icon={Download} /> Pull
        </Button>
        <p id={`${uid}-pull-hint`} className="w-full text-xs text-zinc-600 dark:text-zinc-400">
          A name from the Ollama library. The download goes on if you leave this page.
        </p>
      </form>
      <FieldError message={error} />
      {shown.length > 0 && (
        <ul aria-label="Downloads" className="space-y-2">
          {shown.map((pull) => (
            <PullProgress
              key={pull.id}
              providerId={provider.id}
              pull={pull}
              onChange={update}
              onCancel={() => void cancel(pull)}
              onDismiss={() => setDismissed((d) => new Set([...d, pull.id]))}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
