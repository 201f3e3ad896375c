import { SecretRefSchema } from '@contract/mcp';
import { KeyRound } from 'lucide-react';
import { type KeyboardEvent, useId, useState } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';

const NEW = '\u0000new';

/**
 * Adds a named secret: its value goes to secrets.json and is never shown again. Enter saves it (not the whole form),
 * Escape gives up.
 */
export function NewSecret({
  suggestion,
  onCreate,
  onCancel,
}: {
  suggestion: string;
  onCreate: (name: string, value: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(suggestion);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const save = () => {
    const checked = SecretRefSchema.safeParse({ secret: name.trim() });
    if (!checked.success) return setError(`Secret name: ${checked.error.issues[0]?.message ?? 'invalid'}.`);
    if (value === '') return setError('Type the value to keep.');
    setSaving(true);
    setError(null);
    onCreate(checked.data.secret, value).then(
      () => setValue(''),
      (e: unknown) => {
        setError(errorMessage(e));
        setSaving(false);
      },
    );
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    }
  };
  return (
    <div
      role="group"
      aria-label="New secret"
      onKeyDown={onKey}
      className="mt-2 rounded-md border border-zinc-300 bg-zinc-50 p-3 dark:border-zinc-700 dark:bg-zinc-950"
    >
      <div className="grid gap-2 sm:grid-cols-2">
        <div className="min-w-0">
          <label htmlFor={`${id}-name`} className="mb-1 block text-xs font-medium">
            Secret name
          </label>
          <input
            id={`${id}-name`}
            className={cx(inputClass, 'font-mono')}
            value={name}
            autoFocus={suggestion === ''}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="min-w-0">
          <label htmlFor={`${id}-value`} className="mb-1 block text-xs font-medium">
            Secret value
          </label>
          <input
            id={`${id}-value`}
            type="password"
            className={inputClass}
            value={value}
            autoFocus={suggestion !== ''}
            autoComplete="new-password"
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
      </div>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        Kept in .boxagnts/secrets.json and never shown again; the settings only name it. A name in use gets the new
        value.
      </p>
      <FieldError message={error} />
      <div className="mt-2 flex gap-2">
        <Button variant="primary" onClick={save} disabled={saving}>
          <KeyRound aria-hidden size={14} /> {saving ? 'Saving…' : 'Save secret'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </div>
  );
}

/** Chooses a named secret, or adds one on the spot. */
export function SecretSelect({
  id,
  label,
  value,
  names,
  onChange,
  onCreate,
  suggestion,
  noneLabel,
  invalid,
}: {
  id: string;
  label: string;
  value: string;
  names: string[];
  onChange: (name: string) => void;
  onCreate: (name: string, value: string) => Promise<void>;
  /** The name offered for a new secret. */
  suggestion: string;
  noneLabel: string;
  invalid?: boolean;
}) {
  const [creating, setCreating] = useState(false);
  // A secret named in the settings but missing from secrets.json is still shown, as what is chosen.
  const options = value && !names.includes(value) ? [value, ...names] : names;
  return (
    <div className="min-w-0 flex-1">
      <select
        id={id}
        aria-label={label}
        className={cx(inputClass, 'font-mono')}
        value={value}
        aria-invalid={invalid || undefined}
        onChange={(e) => {
          if (e.target.value === NEW) setCreating(true);
          else onChange(e.target.value);
        }}
      >
        <option value="">{noneLabel}</option>
        {options.map((name) => (
          <option key={name} value={name}>
            {names.includes(name) ? name : `${name} (not set)`}
          </option>
        ))}
        <option value={NEW}>New secret…</option>
      </select>
      {creating && (
        <NewSecret
          suggestion={suggestion}
          onCancel={() => setCreating(false)}
          onCreate={async (name, secret) => {
            await onCreate(name, secret);
            onChange(name);
            setCreating(false);
          }}
        />
      )}
    </div>
  );
}
