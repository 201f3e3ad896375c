import { Plus, X } from 'lucide-react';
import type { ReactNode } from 'react';
import { useId } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';
import { SecretSelect } from './SecretSelect';
import { type ValueRow, emptyRow } from './server-draft';

/** The shared input look without its full width: the row sizes each control. */
const fieldClass = inputClass.replace('w-full ', '');

/**
 * Environment variables or headers: a name and a value each, the value typed here or taken from a named secret
 * (which keeps it out of settings.json).
 */
export function ValueRows({
  legend,
  what,
  rows,
  onChange,
  secretNames,
  onCreateSecret,
  suggestSecret,
  keyPlaceholder,
  hint,
  error,
}: {
  legend: string;
  what: 'variable' | 'header';
  rows: ValueRow[];
  onChange: (rows: ValueRow[]) => void;
  secretNames: string[];
  onCreateSecret: (name: string, value: string) => Promise<void>;
  /** The name offered for a new secret holding this key's value. */
  suggestSecret: (key: string) => string;
  keyPlaceholder: string;
  hint: ReactNode;
  error?: string | undefined;
}) {
  const id = useId();
  const set = (i: number, change: Partial<ValueRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset className="min-w-0" aria-invalid={error ? true : undefined}>
      <legend className="mb-1 block text-sm font-medium">{legend}</legend>
      {rows.length > 0 && (
        <ul aria-label={legend} className="mb-2 space-y-2">
          {rows.map((row, i) => {
            const called = row.key.trim() || `${what} ${i + 1}`;
            return (
              <li key={i} className="flex flex-wrap items-start gap-2 sm:flex-nowrap">
                <input
                  aria-label={`Name of ${what} ${i + 1}`}
                  className={cx(fieldClass, 'w-full font-mono sm:w-48 sm:shrink-0')}
                  value={row.key}
                  placeholder={keyPlaceholder}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => set(i, { key: e.target.value })}
                />
                <select
                  aria-label={`Where the value of ${called} comes from`}
                  className={cx(fieldClass, 'shrink-0')}
                  value={row.kind}
                  onChange={(e) => set(i, { kind: e.target.value === 'secret' ? 'secret' : 'text' })}
                >
                  <option value="text">Text</option>
                  <option value="secret">Secret</option>
                </select>
                {row.kind === 'text' ? (
                  <input
                    aria-label={`Value of ${called}`}
                    className={cx(fieldClass, 'min-w-0 flex-1 basis-40 font-mono')}
                    value={row.text}
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => set(i, { text: e.target.value })}
                  />
                ) : (
                  <SecretSelect
                    id={`${id}-${i}`}
                    label={`Secret for ${called}`}
                    value={row.secret}
                    names={secretNames}
                    onChange={(secret) => set(i, { secret })}
                    onCreate={onCreateSecret}
                    suggestion={suggestSecret(row.key.trim() || `${i + 1}`)}
                    noneLabel="Choose a secret…"
                  />
                )}
                <Button
                  variant="ghost"
                  className="shrink-0 px-2"
                  aria-label={`Remove ${called}`}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                >
                  <X aria-hidden size={15} />
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      <Button onClick={() => onChange([...rows, emptyRow()])}>
        <Plus aria-hidden size={15} /> Add {what}
      </Button>
      {error ? (
        <FieldError message={error} />
      ) : (
        <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</div>
      )}
    </fieldset>
  );
}
