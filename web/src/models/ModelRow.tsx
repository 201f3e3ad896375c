import type { ModelInfo } from '@contract/models';
import type { ModelOverride } from '@contract/settings';
import { Pencil, Star, Trash2 } from 'lucide-react';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Badge, Button, FieldError, cx, inputClass } from '../components/ui';
import { BusyIcon, Facts, FormField, Spin } from './bits';
import { errorText, exact, placeError } from './types';

const LIMIT_FIELDS = ['contextWindow', 'maxOutput'] as const;
type LimitField = (typeof LIMIT_FIELDS)[number];

/** Overrides for what the catalog cannot know, mostly local models; an empty field falls back to the catalog. */
function LimitsForm({
  model,
  locked,
  onSave,
  onCancel,
}: {
  model: { override: ModelOverride; info: ModelInfo };
  locked: boolean;
  onSave: (override: ModelOverride) => Promise<void>;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Record<LimitField, string>>({
    contextWindow: model.override.contextWindow?.toString() ?? '',
    maxOutput: model.override.maxOutput?.toString() ?? '',
  });
  const [nativeTools, setNativeTools] = useState(model.info.tools);
  const [errors, setErrors] = useState<Partial<Record<LimitField | 'form', string>>>({});
  const [saving, setSaving] = useState(false);
  const uid = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next: ModelOverride = { ...model.override };
    const problems: Partial<Record<LimitField, string>> = {};
    for (const field of LIMIT_FIELDS) {
      const text = values[field].trim().replace(/[_,\s]/g, '');
      delete next[field];
      if (text === '') continue;
      const n = Number(text);
      if (!Number.isInteger(n) || n <= 0) problems[field] = 'Enter a whole number of tokens, or leave it empty.';
      else next[field] = n;
    }
    if (Object.keys(problems).length > 0) return setErrors(problems);
    // Saved only when it departs from what the model is known to do, so the catalog's word still counts otherwise.
    delete next.tools;
    if (nativeTools !== model.info.tools || model.override.tools !== undefined) next.tools = nativeTools;
    setSaving(true);
    setErrors({});
    try {
      await onSave(next);
    } catch (error) {
      setErrors(placeError(error, LIMIT_FIELDS));
      setSaving(false);
    }
  };

  const field = (name: LimitField, label: string, catalogValue: number) => (
    <FormField id={`${uid}-${name}`} label={label} error={errors[name]}>
      <input
        id={`${uid}-${name}`}
        inputMode="numeric"
        className={cx(inputClass, 'font-mono')}
        value={values[name]}
        placeholder={model.override[name] === undefined ? exact.format(catalogValue) : 'Catalog value'}
        aria-invalid={errors[name] ? true : undefined}
        onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
      />
    </FormField>
  );

  return (
    <form
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && !saving && onCancel()}
      noValidate
      className="mt-3 space-y-3 rounded-md bg-zinc-50 p-3 dark:bg-zinc-950/60"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {field('contextWindow', 'Context window (tokens)', model.info.contextWindow)}
        {field('maxOutput', 'Max output (tokens)', model.info.maxOutput)}
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5"
          checked={nativeTools}
          onChange={(e) => setNativeTools(e.target.checked)}
        />
        <span>
          Native tool calls
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
            Off: the tools are described in the model's prompt and its calls read from its answers, for models whose
            server takes no tools.
          </span>
        </span>
      </label>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Leave a field empty to use the catalog's value. Saved to .boxagnts/settings.json.
      </p>
      <FieldError message={errors.form} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" disabled={saving || locked}>
          {saving && <Spin />} Save limits
        </Button>
        <Button onClick={onCancel} disabled={saving}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

export function ModelRow({
  modelId,
  model,
  isDefault,
  locked,
  onMakeDefault,
  onRemove,
  onSaveOverride,
  server,
}: {
  modelId: string;
  model: { override: ModelOverride; info: ModelInfo };
  isDefault: boolean;
  /** What the model's server says of its context, for a provider on a local server. */
  server?: ReactNode;
  /** Another change to this provider is being saved; a second one now would overwrite it. */
  locked: boolean;
  onMakeDefault: () => Promise<void>;
  onRemove: () => Promise<void>;
  onSaveOverride: (override: ModelOverride) => Promise<void>;
}) {
  const [busy, setBusy] = useState<'default' | 'remove' | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [editingLimits, setEditingLimits] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { info } = model;

  const run = async (what: 'default' | 'remove', action: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="px-3 py-2.5">
      <div className="flex flex-col gap-1 sm:flex-row sm:items-start sm:justify-between sm:gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <code className="text-sm font-medium break-all">{modelId}</code>
            {info.label && info.label !== modelId && (
              <span className="text-sm text-zinc-500 dark:text-zinc-400">{info.label}</span>
            )}
            {isDefault && (
              <Badge tone="teal">
                <Star aria-hidden size={11} className="fill-current" /> Default
              </Badge>
            )}
          </div>
          <Facts info={info} />
          {server}
        </div>
        {/* Ghost buttons carry their own padding; on a phone they sit under the text, so pull them back into line. */}
        <div className="-ml-3 flex shrink-0 items-center gap-1 sm:ml-0">
          {!isDefault && (
            <Button variant="ghost" disabled={busy !== null} onClick={() => void run('default', onMakeDefault)}>
              <BusyIcon busy={busy === 'default'} icon={Star} /> Make default
            </Button>
          )}
          <Button
            variant="ghost"
            aria-label={`Edit limits of ${modelId}`}
            title="Edit limits"
            aria-expanded={editingLimits}
            onClick={() => setEditingLimits((v) => !v)}
          >
            <Pencil aria-hidden size={15} />
          </Button>
          <Button
            variant="ghost"
            aria-label={`Remove ${modelId}`}
            title="Remove"
            disabled={locked || busy !== null}
            onClick={() => (isDefault ? setConfirmRemove(true) : void run('remove', onRemove))}
          >
            <BusyIcon busy={busy === 'remove'} icon={Trash2} />
          </Button>
        </div>
      </div>
      {confirmRemove && (
        <div className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950/60 dark:text-red-100">
          <span className="mr-auto">This is the default model. Removing it leaves no default.</span>
          <Button
            variant="danger"
            disabled={locked || busy !== null}
            onClick={() => void run('remove', onRemove).then((done) => done && setConfirmRemove(false))}
          >
            {busy === 'remove' && <Spin />} Remove
          </Button>
          <Button onClick={() => setConfirmRemove(false)} disabled={busy !== null}>
            Cancel
          </Button>
        </div>
      )}
      {editingLimits && (
        <LimitsForm
          model={model}
          locked={locked}
          onCancel={() => setEditingLimits(false)}
          onSave={async (override) => {
            await onSaveOverride(override);
            setEditingLimits(false);
          }}
        />
      )}
      <FieldError message={error} />
    </li>
  );
}
