import type { Preset, ProviderBody, ProviderView } from '@contract/models';
import { Trash2 } from 'lucide-react';
import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';
import { Button, FieldError, Switch, cx, inputClass } from '../components/ui';
import { FormField, Spin } from './bits';
import { KIND_LABELS, overridesOf, placeError, putProvider, suggestId } from './types';

const PROVIDER_FIELDS = ['id', 'label', 'baseURL', 'apiKey', 'enabled'] as const;
type ProviderField = (typeof PROVIDER_FIELDS)[number];

/** Adding starts from a preset and needs the ids in use (a PUT to a taken id would replace that provider). */
type FormTarget =
  | { mode: 'add'; preset: Preset; takenIds: string[] }
  | { mode: 'edit'; provider: ProviderView; preset: Preset | undefined };

export function ProviderForm({
  target,
  onSaved,
  onCancel,
}: {
  target: FormTarget;
  onSaved: (provider: ProviderView) => void;
  onCancel: () => void;
}) {
  const editing = target.mode === 'edit' ? target.provider : null;
  const takenIds = target.mode === 'add' ? target.takenIds : [];
  const preset = target.preset;
  const kind = target.mode === 'edit' ? target.provider.kind : target.preset.kind;
  const keyEnv = editing ? editing.keyEnv : (preset?.apiKeyEnv ?? null);

  const [id, setId] = useState(() =>
    target.mode === 'edit' ? target.provider.id : suggestId(target.preset.id, takenIds),
  );
  const [label, setLabel] = useState(editing ? (editing.label ?? '') : (preset?.label ?? ''));
  const [baseURL, setBaseURL] = useState(editing?.baseURL ?? preset?.baseURL ?? '');
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [errors, setErrors] = useState<Partial<Record<ProviderField | 'form', string>>>({});
  const [saving, setSaving] = useState(false);
  const uid = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const providerId = id.trim();
    if (!editing) {
      if (!providerId) return setErrors({ id: 'Give the provider an id; model ids start with it.' });
      if (takenIds.includes(providerId))
        return setErrors({ id: `A provider “${providerId}” already exists. Choose another id, or edit that one.` });
    }
    setSaving(true);
    setErrors({});
    try {
      const body: ProviderBody = {
        kind,
        preset: editing ? editing.preset : preset?.id,
        label: label.trim() || undefined,
        baseURL: baseURL.trim() || undefined,
        enabled,
        apiKeyEnv: editing?.apiKeyEnv,
        models: editing ? overridesOf(editing) : {},
        ...(removeKey ? { apiKey: null } : apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
      };
      onSaved(await putProvider(providerId, body));
    } catch (error) {
      // Everything typed stays in the form, so the fix is one edit away.
      setErrors(placeError(error, PROVIDER_FIELDS));
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !saving) onCancel();
  };

  const keyPlaceholder =
    editing?.keySource === 'secrets' ? 'Leave empty to keep the stored key' : 'Saved to .boxagnts/secrets.json';
  const keyHint =
    editing?.keySource === 'secrets' ? (
      <span>
        A key is stored in <code>.boxagnts/secrets.json</code>. Type a new one to replace it.
      </span>
    ) : editing?.keySource === 'env' ? (
      <span>
        The key now comes from <code>${keyEnv}</code>. A key typed here is stored in <code>.boxagnts/secrets.json</code>{' '}
        and used instead.
      </span>
    ) : keyEnv ? (
      <span>
        Stored in <code>.boxagnts/secrets.json</code>, never shown again. Or leave it empty and set{' '}
        <code>${keyEnv}</code> where the server runs.
      </span>
    ) : (
      <span>
        Stored in <code>.boxagnts/secrets.json</code>, never shown again.{' '}
        {preset?.local
          ? 'Local servers rarely need one: leave it empty unless yours asks.'
          : 'Leave it empty if the server needs none.'}
      </span>
    );

  return (
    <form onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown} noValidate className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          id={`${uid}-id`}
          label="Id"
          error={errors.id}
          hint={
            <span>
              Names its models: <code className="break-all">{(id.trim() || 'id') + '/model'}</code>
              {editing && '. It cannot change; add a new provider for another id.'}
            </span>
          }
        >
          <input
            id={`${uid}-id`}
            className={cx(inputClass, 'font-mono', editing && 'cursor-not-allowed opacity-70')}
            value={id}
            readOnly={editing !== null}
            autoFocus={!editing}
            autoComplete="off"
            spellCheck={false}
            maxLength={40}
            aria-invalid={errors.id ? true : undefined}
            onChange={(e) => setId(e.target.value)}
          />
        </FormField>
        <FormField id={`${uid}-label`} label="Name" error={errors.label} hint="Shown in the dashboard.">
          <input
            id={`${uid}-label`}
            className={inputClass}
            value={label}
            autoFocus={editing !== null}
            placeholder={preset?.label ?? id}
            maxLength={80}
            aria-invalid={errors.label ? true : undefined}
            onChange={(e) => setLabel(e.target.value)}
          />
        </FormField>
      </div>
      <FormField
        id={`${uid}-url`}
        label="Base URL"
        error={errors.baseURL}
        hint={
          <span>
            {KIND_LABELS[kind]}. Models are listed from{' '}
            <code className="break-all">
              {(baseURL.trim() || '…').replace(/\/+$/, '')}
              {kind === 'ollama' ? '/api/tags' : '/models'}
            </code>
          </span>
        }
      >
        <input
          id={`${uid}-url`}
          type="url"
          className={cx(inputClass, 'font-mono')}
          value={baseURL}
          spellCheck={false}
          autoComplete="off"
          placeholder={preset?.baseURL}
          aria-invalid={errors.baseURL ? true : undefined}
          onChange={(e) => setBaseURL(e.target.value)}
        />
      </FormField>
      <div>
        <FormField id={`${uid}-key`} label="API key" error={errors.apiKey} hint={removeKey ? undefined : keyHint}>
          <input
            id={`${uid}-key`}
            type="password"
            className={cx(inputClass, 'font-mono')}
            value={apiKey}
            disabled={removeKey}
            placeholder={removeKey ? 'The stored key will be removed' : keyPlaceholder}
            autoComplete="new-password"
            spellCheck={false}
            aria-invalid={errors.apiKey ? true : undefined}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </FormField>
        {editing?.keySource === 'secrets' &&
          (removeKey ? (
            <p className="mt-2 text-sm text-amber-800 dark:text-amber-300">
              The stored key is removed when you save
              {keyEnv ? (
                <>
                  ; then <code>${keyEnv}</code> is used if it is set
                </>
              ) : null}
              .{' '}
              <button
                type="button"
                className="font-medium underline underline-offset-2"
                onClick={() => setRemoveKey(false)}
              >
                Keep it
              </button>
            </p>
          ) : (
            <Button
              variant="danger-ghost"
              className="mt-1.5 -ml-3"
              onClick={() => {
                setRemoveKey(true);
                setApiKey('');
              }}
            >
              <Trash2 aria-hidden size={15} /> Remove stored key
            </Button>
          ))}
      </div>
      <div>
        <div className="flex items-center gap-2.5">
          <Switch checked={enabled} onChange={setEnabled} label="Enabled" />
          <span className="text-sm">
            <span className="font-medium">Enabled</span>
            <span className="text-zinc-500 dark:text-zinc-400"> — agents may use its models</span>
          </span>
        </div>
        <FieldError message={errors.enabled} />
      </div>
      <FieldError message={errors.form} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" disabled={saving}>
          {saving && <Spin />} {editing ? 'Save changes' : 'Add provider'}
        </Button>
        <Button onClick={onCancel} disabled={saving}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

// ---- A provider's models ----
