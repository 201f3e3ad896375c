import { type SandboxOverview, SandboxOverviewSchema, type Settings, SettingsSchema } from '@contract/settings';
import { Plus, Trash2 } from 'lucide-react';
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { Button, cx, inputClass } from '../components/ui';
import { ApiError, api, errorMessage } from '../lib/api';
import { useDraft } from '../lib/draft';
import { formatAmount } from '../lib/format';
import { applySettings } from '../state';

/** A merge patch of `sandbox`: objects such as `host` merge key by key, lists replace. */
/** A number setting's bounds as its contract schema states them (none stated: from 0 up), for hints and inputs. */
export function numberBounds(schema: { minValue: number | null; maxValue: number | null }): {
  min: number;
  max: number;
} {
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
}

export type SandboxPatch = Partial<Record<keyof Settings['sandbox'], unknown>>;

/** Saves a sandbox change; a refusal names the field (e.g. `sandbox.allowedOutboundHosts[1]`) and why. */
async function save(patch: SandboxPatch): Promise<void> {
  applySettings(await api('/api/settings', SettingsSchema, { method: 'PATCH', body: { sandbox: patch } }));
}

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message.replace(/^sandbox\./, '') : String(e);
}

/**
 * `GET /api/sandbox` and its saves for one card. `attempt` saves a patch and reloads, or keeps the refusal under
 * `key` (shown beside the field, whose draft stays as typed); `errors.load` holds a failed load.
 */
export function useSandboxOverview() {
  const [data, setData] = useState<SandboxOverview | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const load = useCallback(() => {
    api('/api/sandbox', SandboxOverviewSchema).then(setData, (e: unknown) => setErrors({ load: errorMessage(e) }));
  }, []);
  useEffect(load, [load]);

  const attempt = async (key: string, patch: SandboxPatch): Promise<boolean> => {
    try {
      await save(patch);
      setErrors((e) => ({ ...e, [key]: '' }));
      load();
      return true;
    } catch (e) {
      setErrors((prev) => ({ ...prev, [key]: errorText(e) }));
      return false;
    }
  };
  return { data, errors, attempt };
}

/** A number saved when it is left or Enter is pressed; what the user typed stays until the server takes it. */
export function NumberField({
  id,
  label,
  hint,
  value,
  unit,
  min,
  max,
  step,
  error,
  reading = (n) => formatAmount(n, unit),
  onSave,
}: {
  id: string;
  label: string;
  hint: string;
  value: number | null;
  unit: string;
  min: number;
  max?: number | undefined;
  /** `any` for a value shown in a larger unit than it is stored in (seconds of milliseconds, MB of bytes). */
  step?: 'any' | undefined;
  /** The server's refusal of the last save, shown under the field and tied to its input. */
  error?: string | undefined;
  /** The typed number as a person reads it, e.g. "15,000,000 steps" or, for 90000 ms, "1.5 min". */
  reading?: ((n: number) => string) | undefined;
  onSave: (v: number) => Promise<void>;
}) {
  const shown = value === null ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  const typed = draft.trim() === '' ? NaN : Number(draft);
  const read = Number.isFinite(typed) ? reading(typed) : '';
  // Shown only when it says more than the field and its unit do: separators, or a larger unit.
  const showRead = read !== '' && read !== draft.trim() && read !== `${draft.trim()}\u00a0${unit}`;
  const describedBy = [`${id}-hint`, showRead && `${id}-reading`, error && `${id}-error`].filter(Boolean).join(' ');
  const commit = () => {
    const n = Number(draft);
    if (draft.trim() !== '' && Number.isFinite(n) && n !== value) void onSave(n);
    else setDraft(shown);
  };
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
        <input
          id={id}
          type="number"
          min={min}
          max={max}
          step={step}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          placeholder={value === null ? 'no limit' : undefined}
          className={inputClass.replace('w-full', 'w-36')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => e.key === 'Enter' && commit()}
        />
        <span className="text-sm text-zinc-600 dark:text-zinc-400">{unit}</span>
        {showRead && (
          <span id={`${id}-reading`} className="text-sm text-zinc-700 tabular-nums dark:text-zinc-300">
            = {read}
          </span>
        )}
      </div>
      <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        {hint}
      </p>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1.5 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** A saved list of short entries with add and remove; each remove button names its entry and its list. */
export function EntryList({
  label,
  entries,
  placeholder,
  empty,
  onSave,
}: {
  label: string;
  entries: string[];
  placeholder: string;
  empty: ReactNode;
  onSave: (next: string[]) => Promise<boolean>;
}) {
  const { draft, setDraft, busy, submit } = useDraft('');
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) await submit((entry) => onSave([...entries, entry.trim()]));
  };
  return (
    <div>
      {entries.length > 0 ? (
        <ul
          aria-label={label}
          className="mb-2 divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
        >
          {entries.map((entry, i) => (
            <li key={`${i}-${entry}`} className="flex items-center justify-between gap-2 px-3 py-1 text-sm">
              <code className="min-w-0 break-all">{entry}</code>
              <Button
                variant="ghost"
                aria-label={`Remove ${entry} from ${label}`}
                disabled={busy}
                onClick={() => void onSave(entries.filter((_, j) => j !== i))}
              >
                <Trash2 size={14} />
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">{empty}</p>
      )}
      <form onSubmit={(e) => void add(e)} className="flex gap-2">
        <input
          aria-label={`New entry for ${label}`}
          className={cx(inputClass, 'font-mono')}
          placeholder={placeholder}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <Button type="submit" variant="primary" disabled={busy || !draft.trim()}>
          <Plus size={15} /> Add
        </Button>
      </form>
    </div>
  );
}
