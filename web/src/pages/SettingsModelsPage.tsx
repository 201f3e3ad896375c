import {
  Brain,
  CircleAlert,
  CircleCheck,
  Cloud,
  Cpu,
  Eye,
  KeyRound,
  Laptop,
  LoaderCircle,
  type LucideIcon,
  Pencil,
  Plus,
  PlugZap,
  ScanSearch,
  Server,
  Star,
  Trash2,
  TriangleAlert,
  Wrench,
  X,
} from 'lucide-react';
import { type FormEvent, type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Badge, Button, Card, FieldError, PageHeader, Switch, cx, inputClass } from '../components/ui';
import { ApiError, api } from '../lib/api';
import { type Settings, applySettings } from '../state';

// ---- The server's shapes (src/server/models.ts, src/workspace/settings.ts, src/models/catalog.ts) ----

type Kind = 'openai' | 'anthropic' | 'google' | 'openai-compatible';

interface Pricing {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

interface ModelOverride {
  label?: string;
  contextWindow?: number;
  maxOutput?: number;
  pricing?: Pricing;
  tools?: boolean;
  vision?: boolean;
  reasoning?: boolean;
}

interface ModelInfo {
  contextWindow: number;
  maxOutput: number;
  pricing?: Pricing;
  tools: boolean;
  vision: boolean;
  reasoning: boolean;
  label?: string;
  source: 'settings' | 'models.dev' | 'builtin' | 'default';
}

interface Preset {
  id: string;
  label: string;
  kind: Kind;
  baseURL: string;
  apiKeyEnv?: string;
  local?: boolean;
  catalogId?: string;
}

interface Provider {
  id: string;
  kind: Kind;
  preset?: string;
  label?: string;
  baseURL: string;
  enabled: boolean;
  apiKeyEnv?: string;
  hasKey: boolean;
  keySource: 'secrets' | 'env' | null;
  keyEnv: string | null;
  models: Record<string, { override: ModelOverride; info: ModelInfo }>;
}

interface ProvidersResponse {
  providers: Provider[];
  presets: Preset[];
  defaultModel: string | null;
}

/** The body of PUT /api/providers/:id. `apiKey` absent keeps the stored key, a string replaces it, null removes it. */
interface ProviderBody {
  kind: Kind;
  preset?: string | undefined;
  label?: string | undefined;
  baseURL?: string | undefined;
  enabled: boolean;
  apiKeyEnv?: string | undefined;
  models: Record<string, ModelOverride>;
  apiKey?: string | null;
}

type TestResult = { ok: true; latencyMs: number; reply: string } | { ok: false; latencyMs: number; message: string };

// ---- Helpers ----

const KIND_LABELS: Record<Kind, string> = {
  openai: 'OpenAI API',
  anthropic: 'Anthropic API',
  google: 'Gemini API',
  'openai-compatible': 'OpenAI-compatible API',
};

const SOURCES: Record<ModelInfo['source'], { text: string; title: string }> = {
  settings: { text: 'Your settings', title: 'Limits set by you in .boxagnts/settings.json, over the catalog' },
  'models.dev': { text: 'models.dev', title: 'Facts from the models.dev catalog' },
  builtin: { text: 'Built-in catalog', title: "Facts from boxagnts' built-in catalog" },
  default: { text: 'Not in the catalog', title: 'No catalog knows this model: these limits are cautious guesses. Edit them if you know better.' },
};

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const exact = new Intl.NumberFormat('en');
const usd = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Places a server error next to the form field it names. Server fields can be nested (`models.m1.contextWindow`,
 * `providers.x.baseURL`), so the last known segment wins; the "field: " prefix is dropped since the field is right there.
 */
function placeError<F extends string>(error: unknown, fields: readonly F[]): Partial<Record<F | 'form', string>> {
  if (!(error instanceof ApiError) || !error.field) return { form: errorText(error) } as Partial<Record<F | 'form', string>>;
  const field = error.field
    .split('.')
    .reverse()
    .find((part): part is F => (fields as readonly string[]).includes(part));
  if (!field) return { form: error.message } as Partial<Record<F | 'form', string>>;
  const prefix = `${error.field}: `;
  return { [field]: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message } as Partial<Record<F | 'form', string>>;
}

function overridesOf(provider: Provider): Record<string, ModelOverride> {
  return Object.fromEntries(Object.entries(provider.models).map(([id, model]) => [id, model.override]));
}

/** The provider as it is now, ready to send back with a change: a PUT replaces the whole provider. */
function bodyOf(provider: Provider): ProviderBody {
  return {
    kind: provider.kind,
    preset: provider.preset,
    label: provider.label,
    baseURL: provider.baseURL,
    enabled: provider.enabled,
    apiKeyEnv: provider.apiKeyEnv,
    models: overridesOf(provider),
  };
}

function putProvider(id: string, body: ProviderBody): Promise<Provider> {
  return api<Provider>(`/api/providers/${encodeURIComponent(id)}`, { method: 'PUT', body });
}

function providerTitle(provider: Provider, preset: Preset | undefined): string {
  return provider.label ?? preset?.label ?? provider.id;
}

function suggestId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The app store mirrors settings.json, so it must hear about changes made here (deleting a provider can unset the default). */
async function syncSettings(): Promise<void> {
  applySettings(await api<Settings>('/api/settings'));
}

function Spin() {
  return <LoaderCircle aria-hidden size={15} className="animate-spin" />;
}

function BusyIcon({ busy, icon: Icon }: { busy: boolean; icon: LucideIcon }) {
  return busy ? <Spin /> : <Icon aria-hidden size={15} />;
}

function FormField({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string | undefined; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      {children}
      {error ? <FieldError message={error} /> : hint && <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</div>}
    </div>
  );
}

/** A message a provider or the server sent, shown in its own words. */
function Notice({ tone, title, children, onClose }: { tone: 'ok' | 'error' | 'warn'; title?: ReactNode; children?: ReactNode; onClose?: () => void }) {
  const Icon = tone === 'ok' ? CircleCheck : tone === 'error' ? CircleAlert : TriangleAlert;
  return (
    <div
      role={tone === 'ok' ? 'status' : 'alert'}
      className={cx(
        'flex items-start gap-2 rounded-md border px-3 py-2 text-sm',
        tone === 'ok' && 'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100',
        tone === 'error' && 'border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-100',
        tone === 'warn' && 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-100',
      )}
    >
      <Icon aria-hidden size={16} className="mt-0.5 shrink-0" />
      <div className="min-w-0 flex-1">
        {title && <div className="font-medium">{title}</div>}
        {children && <div className="break-words whitespace-pre-wrap">{children}</div>}
      </div>
      {onClose && (
        <button type="button" aria-label="Dismiss" onClick={onClose} className="-m-1 rounded p-1 opacity-70 hover:opacity-100">
          <X aria-hidden size={15} />
        </button>
      )}
    </div>
  );
}

// ---- Default model ----

function DefaultModelBanner({ defaultModel, providers, presets }: { defaultModel: string | null; providers: Provider[]; presets: Preset[] }) {
  if (!defaultModel) {
    return (
      <div className="flex items-start gap-3 rounded-lg border border-dashed border-zinc-300 px-4 py-3 dark:border-zinc-700">
        <Star aria-hidden size={18} className="mt-0.5 shrink-0 text-zinc-400" />
        <div className="text-sm">
          <div className="font-medium">No default model yet</div>
          <p className="mt-0.5 text-zinc-600 dark:text-zinc-400">
            {providers.length === 0
              ? 'Add a provider and a model, then choose “Make default” on the model agents should use.'
              : 'Choose “Make default” on one of the models below; agents use it unless told otherwise.'}
          </p>
        </div>
      </div>
    );
  }
  // A model id is provider/model; the model part may itself contain slashes (OpenRouter).
  const slash = defaultModel.indexOf('/');
  const providerId = defaultModel.slice(0, slash);
  const modelId = defaultModel.slice(slash + 1);
  const provider = providers.find((p) => p.id === providerId);
  const info = provider?.models[modelId]?.info;
  const title = provider && providerTitle(provider, presets.find((p) => p.id === provider.preset));
  const warning = !provider
    ? `No provider “${providerId}” is configured, so agents cannot use this model. Choose another default.`
    : !info
      ? `${title} no longer lists this model. Add it back or choose another default.`
      : !provider.enabled
        ? `${title} is switched off, so agents cannot use this model. Switch it on or choose another default.`
        : null;
  return (
    <div className="rounded-lg border border-teal-200 bg-teal-50/60 px-4 py-3 dark:border-teal-900 dark:bg-teal-950/40">
      <div className="flex items-start gap-3">
        <Star aria-hidden size={18} className="mt-1 shrink-0 fill-teal-600 text-teal-600 dark:fill-teal-400 dark:text-teal-400" />
        <div className="min-w-0">
          <div className="text-xs font-medium tracking-wide text-teal-800 uppercase dark:text-teal-300">Default model</div>
          <div className="mt-0.5 font-mono text-base font-semibold break-all">{defaultModel}</div>
          {info && (
            <div className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">
              {[info.label, title && `via ${title}`, `${compact.format(info.contextWindow)} context`].filter(Boolean).join(' · ')}
            </div>
          )}
        </div>
      </div>
      {warning && (
        <div className="mt-3">
          <Notice tone="warn">{warning}</Notice>
        </div>
      )}
    </div>
  );
}

// ---- Adding and editing a provider ----

const GROUPS: { title: string; icon: LucideIcon; test: (p: Preset) => boolean }[] = [
  { title: 'Cloud', icon: Cloud, test: (p) => !p.local && p.apiKeyEnv !== undefined },
  { title: 'On this machine', icon: Laptop, test: (p) => p.local === true },
  // Neither a known vendor nor a known local server: any address, any kind of key.
  { title: 'Any other server', icon: Server, test: (p) => !p.local && p.apiKeyEnv === undefined },
];

function PresetPicker({ presets, onPick, onCancel }: { presets: Preset[]; onPick: (preset: Preset) => void; onCancel: () => void }) {
  return (
    <Card title="Add a provider" description="Pick where the models run. The form that follows is filled in from your choice, and every field stays editable.">
      <div className="space-y-5">
        {GROUPS.map((group) => {
          const items = presets.filter(group.test);
          if (items.length === 0) return null;
          return (
            <div key={group.title}>
              <h3 className="mb-2 flex items-center gap-1.5 text-xs font-medium tracking-wide text-zinc-500 uppercase">
                <group.icon aria-hidden size={14} /> {group.title}
              </h3>
              <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
                {items.map((preset) => (
                  <button
                    key={preset.id}
                    type="button"
                    onClick={() => onPick(preset)}
                    className="rounded-md border border-zinc-200 px-3 py-2 text-left hover:border-teal-600 hover:bg-teal-50/60 dark:border-zinc-800 dark:hover:border-teal-500 dark:hover:bg-teal-950/40"
                  >
                    <div className="text-sm font-medium">{preset.label}</div>
                    <div className="truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">{hostOf(preset.baseURL)}</div>
                  </button>
                ))}
              </div>
            </div>
          );
        })}
        <div>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </div>
    </Card>
  );
}

const PROVIDER_FIELDS = ['id', 'label', 'baseURL', 'apiKey', 'enabled'] as const;
type ProviderField = (typeof PROVIDER_FIELDS)[number];

type FormTarget = { mode: 'add'; preset: Preset } | { mode: 'edit'; provider: Provider; preset: Preset | undefined };

function ProviderForm({ target, takenIds, onSaved, onCancel }: { target: FormTarget; takenIds: string[]; onSaved: (provider: Provider) => void; onCancel: () => void }) {
  const editing = target.mode === 'edit' ? target.provider : null;
  const preset = target.preset;
  const kind = editing?.kind ?? target.preset?.kind ?? 'openai-compatible';
  const keyEnv = editing ? editing.keyEnv : (preset?.apiKeyEnv ?? null);

  const [id, setId] = useState(() => editing?.id ?? suggestId(target.preset?.id ?? 'provider', takenIds));
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
      if (takenIds.includes(providerId)) return setErrors({ id: `A provider “${providerId}” already exists. Choose another id, or edit that one.` });
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

  const keyPlaceholder = editing?.keySource === 'secrets' ? 'Leave empty to keep the stored key' : 'Saved to .boxagnts/secrets.json';
  const keyHint = editing?.keySource === 'secrets' ? (
    <span>
      A key is stored in <code>.boxagnts/secrets.json</code>. Type a new one to replace it.
    </span>
  ) : editing?.keySource === 'env' ? (
    <span>
      The key now comes from <code>${keyEnv}</code>. A key typed here is stored in <code>.boxagnts/secrets.json</code> and used instead.
    </span>
  ) : keyEnv ? (
    <span>
      Stored in <code>.boxagnts/secrets.json</code>, never shown again. Or leave it empty and set <code>${keyEnv}</code> where the server runs.
    </span>
  ) : (
    <span>
      Stored in <code>.boxagnts/secrets.json</code>, never shown again. {preset?.local ? 'Local servers rarely need one: leave it empty unless yours asks.' : 'Leave it empty if the server needs none.'}
    </span>
  );

  return (
    <form onSubmit={submit} onKeyDown={onKeyDown} noValidate className="space-y-4">
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
            {KIND_LABELS[kind]}. Models are listed from <code className="break-all">{(baseURL.trim() || '…').replace(/\/+$/, '')}/models</code>
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
              <button type="button" className="font-medium underline underline-offset-2" onClick={() => setRemoveKey(false)}>
                Keep it
              </button>
            </p>
          ) : (
            <Button
              variant="ghost"
              className="mt-1.5 -ml-3 text-red-700 dark:text-red-400"
              onClick={() => {
                setRemoveKey(true);
                setApiKey('');
              }}
            >
              <Trash2 aria-hidden size={15} /> Remove stored key
            </Button>
          ))}
      </FormField>
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

function KeyStatus({ provider, local }: { provider: Provider; local: boolean }) {
  if (provider.keySource === 'secrets')
    return (
      <Badge tone="green" title="Stored in .boxagnts/secrets.json">
        <KeyRound aria-hidden size={12} /> Key stored
      </Badge>
    );
  if (provider.keySource === 'env')
    return (
      <Badge tone="teal" title="Read from the server's environment">
        <KeyRound aria-hidden size={12} /> Key from ${provider.keyEnv}
      </Badge>
    );
  return (
    <Badge
      tone={local || !provider.keyEnv ? 'neutral' : 'amber'}
      title={provider.keyEnv ? `Enter a key with Edit, or set ${provider.keyEnv} where the server runs` : 'Enter a key with Edit if the server asks for one'}
    >
      <KeyRound aria-hidden size={12} /> No key
    </Badge>
  );
}

function Facts({ info }: { info: ModelInfo }) {
  const source = SOURCES[info.source];
  return (
    <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
      <span title={`${exact.format(info.contextWindow)} tokens`}>{compact.format(info.contextWindow)} context</span>
      <span title={`${exact.format(info.maxOutput)} tokens`}>{compact.format(info.maxOutput)} output</span>
      <span title="USD per million tokens, input / output">
        {info.pricing ? `${usd.format(info.pricing.input)} in · ${usd.format(info.pricing.output)} out per 1M` : 'Price unknown'}
      </span>
      {(info.tools || info.vision || info.reasoning) && (
        <span className="flex flex-wrap gap-1">
          {info.tools && (
            <Badge>
              <Wrench aria-hidden size={11} /> Tools
            </Badge>
          )}
          {info.vision && (
            <Badge>
              <Eye aria-hidden size={11} /> Vision
            </Badge>
          )}
          {info.reasoning && (
            <Badge>
              <Brain aria-hidden size={11} /> Reasoning
            </Badge>
          )}
        </span>
      )}
      <span title={source.title} className={cx(info.source === 'default' && 'text-amber-700 dark:text-amber-400')}>
        Source: {source.text}
      </span>
    </div>
  );
}

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
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && !saving && onCancel()}
      noValidate
      className="mt-3 space-y-3 rounded-md bg-zinc-50 p-3 dark:bg-zinc-950/60"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {field('contextWindow', 'Context window (tokens)', model.info.contextWindow)}
        {field('maxOutput', 'Max output (tokens)', model.info.maxOutput)}
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">Leave a field empty to use the catalog's value. Saved to .boxagnts/settings.json.</p>
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

function ModelRow({
  modelId,
  model,
  isDefault,
  locked,
  onMakeDefault,
  onRemove,
  onSaveOverride,
}: {
  modelId: string;
  model: { override: ModelOverride; info: ModelInfo };
  isDefault: boolean;
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
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="px-3 py-2.5">
      <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-2">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <code className="text-sm font-medium break-all">{modelId}</code>
            {info.label && info.label !== modelId && <span className="text-sm text-zinc-500 dark:text-zinc-400">{info.label}</span>}
            {isDefault && (
              <Badge tone="teal">
                <Star aria-hidden size={11} className="fill-current" /> Default
              </Badge>
            )}
          </div>
          <Facts info={info} />
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {!isDefault && (
            <Button variant="ghost" disabled={busy !== null} onClick={() => void run('default', onMakeDefault)}>
              <BusyIcon busy={busy === 'default'} icon={Star} /> Make default
            </Button>
          )}
          <Button variant="ghost" aria-label={`Edit limits of ${modelId}`} title="Edit limits" aria-expanded={editingLimits} onClick={() => setEditingLimits((v) => !v)}>
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
            onClick={() => void run('remove', onRemove).then(() => setConfirmRemove(false))}
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

function AddModelForm({ existing, locked, onAdd }: { existing: string[]; locked: boolean; onAdd: (modelId: string) => Promise<void> }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const uid = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const modelId = draft.trim();
    if (!modelId) return;
    if (existing.includes(modelId)) return setError(`${modelId} is already added.`);
    setSaving(true);
    setError(null);
    try {
      await onAdd(modelId);
      setDraft('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="mt-3">
      <form onSubmit={submit} className="flex gap-2">
        <label className="sr-only" htmlFor={`${uid}-model`}>
          Model id
        </label>
        <input
          id={`${uid}-model`}
          className={cx(inputClass, 'font-mono')}
          placeholder="Type a model id to add it"
          spellCheck={false}
          autoComplete="off"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <Button type="submit" disabled={locked || saving || draft.trim() === ''} className="shrink-0">
          <BusyIcon busy={saving} icon={Plus} /> Add
        </Button>
      </form>
      <FieldError message={error} />
    </div>
  );
}

// ---- Discovery and the connection test ----

type Discovery = { state: 'idle' } | { state: 'loading' } | { state: 'done'; models: string[] } | { state: 'failed'; message: string };

/** Past this many ids a filter box is quicker than scrolling. */
const FILTER_AFTER = 8;

function DiscoveryResults({
  found,
  existing,
  locked,
  onAdd,
  onClose,
}: {
  found: string[];
  existing: string[];
  locked: boolean;
  onAdd: (modelIds: string[]) => Promise<void>;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const uid = useId();

  const available = found.filter((m) => !existing.includes(m));
  const skipped = found.length - available.length;
  const needle = filter.trim().toLowerCase();
  const shown = needle ? available.filter((m) => m.toLowerCase().includes(needle)) : available;
  const chosen = available.filter((m) => selected.has(m));
  const allShownChosen = shown.length > 0 && shown.every((m) => selected.has(m));

  const toggle = (modelId: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(modelId);
      else next.delete(modelId);
      return next;
    });

  const add = async () => {
    setSaving(true);
    setError(null);
    try {
      await onAdd(chosen);
      setSelected(new Set());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const summary =
    found.length === 0
      ? 'The provider lists no models.'
      : `Found ${found.length} model${found.length === 1 ? '' : 's'}${skipped ? `; ${skipped} already added ${skipped === 1 ? 'is' : 'are'} not listed` : ''}.`;

  return (
    <div className="rounded-md border border-zinc-200 dark:border-zinc-800">
      <div className="flex items-start justify-between gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <p className="text-sm text-zinc-700 dark:text-zinc-300">{summary}</p>
        <button type="button" aria-label="Close the discovered models" onClick={onClose} className="-m-1 rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800">
          <X aria-hidden size={15} />
        </button>
      </div>
      {available.length === 0 ? (
        found.length > 0 && <p className="px-3 py-2 text-sm text-zinc-500 dark:text-zinc-400">Every model it lists is added already.</p>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-3 pt-2">
            {available.length > FILTER_AFTER && (
              <>
                <label className="sr-only" htmlFor={`${uid}-filter`}>
                  Filter models
                </label>
                <input
                  id={`${uid}-filter`}
                  type="search"
                  className={cx(inputClass, 'sm:max-w-xs')}
                  placeholder={`Filter ${available.length} models`}
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </>
            )}
            <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
              <input
                type="checkbox"
                className="h-4 w-4 accent-teal-700"
                checked={allShownChosen}
                disabled={shown.length === 0}
                onChange={(e) => setSelected((s) => new Set(e.target.checked ? [...s, ...shown] : [...s].filter((m) => !shown.includes(m))))}
              />
              Select all{needle ? ' shown' : ''}
            </label>
          </div>
          <ul className="mt-2 max-h-72 overflow-y-auto border-y border-zinc-200 dark:border-zinc-800">
            {shown.map((modelId) => (
              <li key={modelId}>
                <label className="flex cursor-pointer items-center gap-2.5 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
                  <input type="checkbox" className="h-4 w-4 shrink-0 accent-teal-700" checked={selected.has(modelId)} onChange={(e) => toggle(modelId, e.target.checked)} />
                  <code className="break-all">{modelId}</code>
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="px-3 py-2 text-sm text-zinc-500">No model matches “{filter.trim()}”.</li>}
          </ul>
          <div className="flex flex-wrap items-center gap-2 px-3 py-2">
            <Button variant="primary" disabled={locked || saving || chosen.length === 0} onClick={() => void add()}>
              <BusyIcon busy={saving} icon={Plus} /> {chosen.length === 0 ? 'Add selected' : `Add ${chosen.length} model${chosen.length === 1 ? '' : 's'}`}
            </Button>
          </div>
        </>
      )}
      {error && (
        <div className="px-3 pb-2">
          <FieldError message={error} />
        </div>
      )}
    </div>
  );
}

function TestResultNotice({ model, result, onClose }: { model: string; result: TestResult | { error: string }; onClose: () => void }) {
  if ('error' in result)
    return (
      <Notice tone="error" title={`Could not test ${model}`} onClose={onClose}>
        {result.error}
      </Notice>
    );
  if (result.ok)
    return (
      <Notice tone="ok" title={`${model} answered in ${exact.format(result.latencyMs)} ms`} onClose={onClose}>
        {result.reply.trim() ? `Reply: ${result.reply.trim()}` : 'The reply was empty, but the request succeeded.'}
      </Notice>
    );
  return (
    <Notice tone="error" title={`${model} failed after ${exact.format(result.latencyMs)} ms`} onClose={onClose}>
      {result.message}
    </Notice>
  );
}

function ConnectionTools({
  provider,
  defaultModelHere,
  locked,
  onAddModels,
}: {
  provider: Provider;
  defaultModelHere: string | null;
  locked: boolean;
  onAddModels: (modelIds: string[]) => Promise<void>;
}) {
  const modelIds = Object.keys(provider.models);
  const [discovery, setDiscovery] = useState<Discovery>({ state: 'idle' });
  const [picked, setPicked] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<{ model: string; result: TestResult | { error: string } } | null>(null);
  const uid = useId();
  // The picked model may have been removed since; fall back to the one the server would test by default.
  const testModel = picked !== null && modelIds.includes(picked) ? picked : (defaultModelHere ?? modelIds[0] ?? null);

  const discover = async () => {
    setDiscovery({ state: 'loading' });
    try {
      const { models } = await api<{ models: string[] }>(`/api/providers/${encodeURIComponent(provider.id)}/discover`, { method: 'POST' });
      setDiscovery({ state: 'done', models });
    } catch (error) {
      setDiscovery({ state: 'failed', message: errorText(error) });
    }
  };

  const runTest = async () => {
    if (!testModel) return;
    setTesting(true);
    setTest(null);
    try {
      const result = await api<TestResult>(`/api/providers/${encodeURIComponent(provider.id)}/test`, { method: 'POST', body: { model: testModel } });
      setTest({ model: testModel, result });
    } catch (error) {
      setTest({ model: testModel, result: { error: errorText(error) } });
    } finally {
      setTesting(false);
    }
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant={modelIds.length === 0 ? 'primary' : 'secondary'} disabled={discovery.state === 'loading'} onClick={() => void discover()}>
          <BusyIcon busy={discovery.state === 'loading'} icon={ScanSearch} /> Discover models
        </Button>
        <span className="hidden h-5 w-px bg-zinc-200 sm:block dark:bg-zinc-800" aria-hidden />
        {modelIds.length > 1 && (
          <div className="w-full min-w-0 sm:w-auto sm:max-w-xs">
            <label className="sr-only" htmlFor={`${uid}-test-model`}>
              Model to test
            </label>
            <select id={`${uid}-test-model`} className={cx(inputClass, 'truncate')} value={testModel ?? ''} onChange={(e) => setPicked(e.target.value)}>
              {modelIds.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
        )}
        <Button disabled={testing || !testModel} title={testModel ? `Sends one short request to ${testModel}` : 'Add a model first'} onClick={() => void runTest()}>
          <BusyIcon busy={testing} icon={PlugZap} /> Test connection
        </Button>
        {!testModel && <span className="text-xs text-zinc-500 dark:text-zinc-400">Add a model to test the connection.</span>}
      </div>
      {test && <TestResultNotice model={test.model} result={test.result} onClose={() => setTest(null)} />}
      {discovery.state === 'failed' && (
        <Notice tone="error" title="Discovery failed" onClose={() => setDiscovery({ state: 'idle' })}>
          {discovery.message}
        </Notice>
      )}
      {discovery.state === 'done' && (
        <DiscoveryResults found={discovery.models} existing={modelIds} locked={locked} onAdd={onAddModels} onClose={() => setDiscovery({ state: 'idle' })} />
      )}
    </div>
  );
}

// ---- A provider ----

function ProviderCard({
  provider,
  preset,
  defaultModel,
  takenIds,
  scrollOnMount,
  onSaved,
  onDeleted,
  onSetDefault,
}: {
  provider: Provider;
  preset: Preset | undefined;
  defaultModel: string | null;
  takenIds: string[];
  scrollOnMount: boolean;
  onSaved: (provider: Provider) => void;
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
      await api(`/api/providers/${encodeURIComponent(provider.id)}`, { method: 'DELETE' });
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
          takenIds={takenIds}
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
    <section ref={ref} aria-label={title} className="scroll-mt-4 rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="p-4 sm:p-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-2">
              <h2 className="text-base font-semibold">{title}</h2>
              <code className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">{provider.id}</code>
              <KeyStatus provider={provider} local={preset?.local === true} />
              {!provider.enabled && <Badge tone="amber">Off</Badge>}
            </div>
            <p className="mt-1 text-sm break-all text-zinc-600 dark:text-zinc-400">
              {KIND_LABELS[provider.kind]} · <span className="font-mono text-xs">{provider.baseURL}</span>
            </p>
          </div>
          <div className="flex items-center gap-2">
            {toggling && <Spin />}
            <span className="text-sm text-zinc-600 dark:text-zinc-400">{provider.enabled ? 'Enabled' : 'Disabled'}</span>
            <Switch checked={provider.enabled} label={`${title} enabled`} disabled={saving} onChange={(v) => void toggleEnabled(v)} />
          </div>
        </div>

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
            <Button variant="ghost" className="text-red-700 dark:text-red-400" disabled={saving} onClick={() => setConfirmDelete(true)}>
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
                    const { [modelId]: _removed, ...rest } = overridesOf(provider);
                    await withModels(rest);
                    if (defaultModelHere === modelId) await onSetDefault(null);
                  }}
                  onSaveOverride={(override) => withModels({ ...overridesOf(provider), [modelId]: override })}
                />
              );
            })}
          </ul>
        )}
        <AddModelForm existing={modelIds} locked={saving} onAdd={(modelId) => withModels({ ...overridesOf(provider), [modelId]: {} })} />
      </div>

      <div className="border-t border-zinc-200 px-4 py-4 sm:px-5 dark:border-zinc-800">
        <ConnectionTools
          provider={provider}
          defaultModelHere={defaultModelHere}
          locked={saving}
          onAddModels={(ids) => withModels({ ...overridesOf(provider), ...Object.fromEntries(ids.map((m) => [m, {}])) })}
        />
      </div>
    </section>
  );
}

// ---- The page ----

export function SettingsModelsPage() {
  const [data, setData] = useState<ProvidersResponse | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [adding, setAdding] = useState<Preset | 'choose' | null>(null);
  const [justAdded, setJustAdded] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api<ProvidersResponse>('/api/providers'));
      setLoadError(null);
    } catch (error) {
      setLoadError(errorText(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const upsert = (provider: Provider) =>
    setData((d) => {
      if (!d) return d;
      const known = d.providers.some((p) => p.id === provider.id);
      return { ...d, providers: known ? d.providers.map((p) => (p.id === provider.id ? provider : p)) : [...d.providers, provider] };
    });

  const setDefault = async (modelRef: string | null) => {
    const settings = await api<Settings & { defaultModel?: string }>('/api/settings', { method: 'PATCH', body: { defaultModel: modelRef } });
    applySettings(settings);
    setData((d) => d && { ...d, defaultModel: settings.defaultModel ?? null });
  };

  const header = (
    <PageHeader
      title="Models"
      description="The providers agents can call, their keys and models, and the default model. Saved to .boxagnts/settings.json; keys go to .boxagnts/secrets.json."
      actions={
        data &&
        data.providers.length > 0 &&
        adding === null && (
          <Button variant="primary" onClick={() => setAdding('choose')}>
            <Plus aria-hidden size={15} /> Add provider
          </Button>
        )
      }
    />
  );

  if (!data) {
    return (
      <>
        {header}
        {loadError ? (
          <div className="space-y-3">
            <Notice tone="error" title="Could not load the providers">
              {loadError}
            </Notice>
            <Button onClick={() => void load()}>Try again</Button>
          </div>
        ) : (
          <p className="text-sm text-zinc-500">Loading providers…</p>
        )}
      </>
    );
  }

  const takenIds = data.providers.map((p) => p.id);
  const presetOf = (provider: Provider) => data.presets.find((p) => p.id === provider.preset);

  return (
    <>
      {header}
      <div className="space-y-5">
        {loadError && (
          <Notice tone="error" title="Could not refresh the providers" onClose={() => setLoadError(null)}>
            {loadError}
          </Notice>
        )}
        <DefaultModelBanner defaultModel={data.defaultModel} providers={data.providers} presets={data.presets} />

        {adding === 'choose' && <PresetPicker presets={data.presets} onPick={setAdding} onCancel={() => setAdding(null)} />}
        {adding !== null && adding !== 'choose' && (
          <Card title={`Add ${adding.label}`}>
            <ProviderForm
              target={{ mode: 'add', preset: adding }}
              takenIds={takenIds}
              onCancel={() => setAdding('choose')}
              onSaved={(provider) => {
                upsert(provider);
                setJustAdded(provider.id);
                setAdding(null);
              }}
            />
          </Card>
        )}

        {data.providers.length === 0 && adding === null && (
          <EmptyState icon={Cpu} title="No provider yet">
            <p>
              Add a cloud provider such as OpenAI or Anthropic, or a server on this machine such as Ollama or LM Studio. Then add its models and choose the
              default.
            </p>
            <Button variant="primary" className="mt-4" onClick={() => setAdding('choose')}>
              <Plus aria-hidden size={15} /> Add provider
            </Button>
          </EmptyState>
        )}

        {data.providers.map((provider) => (
          <ProviderCard
            key={provider.id}
            provider={provider}
            preset={presetOf(provider)}
            defaultModel={data.defaultModel}
            takenIds={takenIds}
            scrollOnMount={provider.id === justAdded}
            onSaved={upsert}
            onSetDefault={setDefault}
            onDeleted={async () => {
              await load();
              await syncSettings();
            }}
          />
        ))}
      </div>
    </>
  );
}
