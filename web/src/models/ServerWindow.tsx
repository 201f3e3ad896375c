import type { ModelWindow, ServerContextSource } from '@contract/local-models';
import type { ModelOverride } from '@contract/settings';
import { type FormEvent, useId, useState } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';
import { Spin } from './bits';
import { errorText, exact } from './types';

/** Where the server's number comes from, in a few words. */
export const SERVER_CONTEXT_SOURCES: Record<ServerContextSource, string> = {
  requested: 'asked of Ollama',
  loaded: 'in memory now',
  modelfile: "the model's num_ctx",
  server: "the server's setting",
  assumed: "Ollama's default, assumed",
};

/** Below this, the agent's own instructions and tools take much of the window. */
const SMALL_WINDOW = 16_384;

/**
 * The catalog's window and the server's side by side, and which one runs use. For a model served through Ollama's
 * own API, the context length asked of Ollama with every request can be set here.
 */
export function ServerWindow({
  modelId,
  window,
  ollama,
  override,
  locked,
  onSaveOverride,
}: {
  modelId: string;
  window: ModelWindow | undefined;
  /** Served through Ollama's own API: the context length set here reaches the server. */
  ollama: boolean;
  override: ModelOverride;
  locked: boolean;
  onSaveOverride: (override: ModelOverride) => Promise<void>;
}) {
  if (!window) return null;
  const usesServer = window.usedFrom === 'server';
  return (
    <div className="mt-1.5 space-y-2">
      <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
        <div className="flex gap-1">
          <dt>Catalog</dt>
          <dd className="font-mono">{exact.format(window.catalog)}</dd>
        </div>
        <div className="flex gap-1">
          <dt>Server</dt>
          <dd>
            {window.server === null ? (
              'not known'
            ) : (
              <>
                <span className="font-mono">{exact.format(window.server)}</span>
                {window.serverFrom && ` (${SERVER_CONTEXT_SOURCES[window.serverFrom]})`}
              </>
            )}
          </dd>
        </div>
        {window.maxContext !== null && (
          <div className="flex gap-1">
            <dt>Model maximum</dt>
            <dd className="font-mono">{exact.format(window.maxContext)}</dd>
          </div>
        )}
        <div className="flex gap-1 font-medium text-zinc-800 dark:text-zinc-200">
          <dt>Runs use</dt>
          <dd>
            <span className="font-mono">{exact.format(window.used)}</span>{' '}
            {usesServer ? "(the server's, smaller)" : "(the catalog's)"}
          </dd>
        </div>
      </dl>
      {window.used < SMALL_WINDOW && (
        <p className="text-xs text-amber-800 dark:text-amber-300">
          Small for an agent: its instructions and tools alone take a few thousand tokens, so longer work is summarised
          early.{' '}
          {ollama
            ? `Set a context length of ${exact.format(SMALL_WINDOW)} or more if the machine has the memory.`
            : 'Give the model a larger context on the server if the machine has the memory.'}
        </p>
      )}
      {ollama && (
        <ContextLengthForm
          modelId={modelId}
          window={window}
          override={override}
          locked={locked}
          onSaveOverride={onSaveOverride}
        />
      )}
    </div>
  );
}

/** The context length asked of Ollama (num_ctx): the model's `contextWindow` setting, one number for both. */
function ContextLengthForm({
  modelId,
  window,
  override,
  locked,
  onSaveOverride,
}: {
  modelId: string;
  window: ModelWindow;
  override: ModelOverride;
  locked: boolean;
  onSaveOverride: (override: ModelOverride) => Promise<void>;
}) {
  const [draft, setDraft] = useState(override.contextWindow?.toString() ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const uid = useId();
  const current = override.contextWindow?.toString() ?? '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim().replace(/[_,\s]/g, '');
    const value = text === '' ? undefined : Number(text);
    if (value !== undefined && (!Number.isInteger(value) || value < 256))
      return setError('Enter a whole number of tokens (256 or more), or leave it empty for Ollama’s default.');
    setSaving(true);
    setError(null);
    try {
      const { contextWindow: _old, ...rest } = override;
      await onSaveOverride(value === undefined ? rest : { ...rest, contextWindow: value });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const upTo = window.maxContext ? `, up to ${exact.format(window.maxContext)}` : '';
  const hint =
    override.contextWindow === undefined
      ? `Empty: boxagnts asks Ollama for ${window.requested === null ? 'an agent-sized context' : exact.format(window.requested)} tokens (num_ctx) with every request, since Ollama's own default is too small for an agent's instructions and tools. A number replaces it${upTo}.`
      : `Sent to Ollama as num_ctx with every request${window.requested !== null && override.contextWindow !== window.requested ? ` (the model takes at most ${exact.format(window.requested)})` : ''}.`;

  return (
    <form onSubmit={(e) => void submit(e)} className="flex flex-wrap items-end gap-2" noValidate>
      <div className="min-w-0">
        <label htmlFor={`${uid}-ctx`} className="mb-1 block text-xs font-medium text-zinc-700 dark:text-zinc-300">
          Context length for {modelId} (tokens)
        </label>
        <input
          id={`${uid}-ctx`}
          inputMode="numeric"
          className={cx(inputClass, 'w-36 font-mono')}
          value={draft}
          placeholder={window.server === null ? 'Default' : exact.format(window.server)}
          aria-describedby={`${uid}-ctx-hint`}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setDraft(e.target.value)}
        />
      </div>
      <Button type="submit" disabled={locked || saving || draft.trim() === current}>
        {saving && <Spin />} Save context length
      </Button>
      <p id={`${uid}-ctx-hint`} className="w-full text-xs text-zinc-600 dark:text-zinc-400">
        {hint}
      </p>
      <div className="w-full">
        <FieldError message={error} />
      </div>
    </form>
  );
}
