import { Plus, TriangleAlert, X } from 'lucide-react';
import { type KeyboardEvent, type ReactNode, useId, useState } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';

/**
 * A list of names (tools, skills) edited as chips: pick from `known` or type any name, several at once separated by
 * commas. Names not in `known` are marked, as the server would flag them, unless they are patterns (`mcp_*`).
 */
export function NameListField({
  label,
  values,
  onChange,
  known,
  placeholder,
  hint,
  error,
}: {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  known?: readonly string[] | undefined;
  placeholder: string;
  hint?: ReactNode;
  error?: string | undefined;
}) {
  const [text, setText] = useState('');
  const id = useId();
  const isUnknown = (name: string) => known !== undefined && !known.includes(name) && !name.includes('*');
  const add = () => {
    const typed = text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (typed.length === 0) return;
    onChange([...values, ...typed.filter((name, i) => !values.includes(name) && typed.indexOf(name) === i)]);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter adds the name here; it must not submit the whole form.
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  };
  return (
    <fieldset className="min-w-0">
      <legend className="mb-1 block text-sm font-medium">{label}</legend>
      {values.length > 0 && (
        <ul aria-label={label} className="mb-2 flex flex-wrap gap-1.5">
          {values.map((name) => (
            <li
              key={name}
              className={cx(
                'inline-flex items-center gap-1 rounded-md border py-0.5 pr-0.5 pl-2 font-mono text-xs',
                isUnknown(name)
                  ? 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100'
                  : 'border-zinc-300 bg-zinc-50 text-zinc-800 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100',
              )}
            >
              {isUnknown(name) && <TriangleAlert aria-hidden size={12} />}
              {name}
              {isUnknown(name) && <span className="font-sans"> (no such tool)</span>}
              <button
                type="button"
                aria-label={`Remove ${name} from ${label.toLowerCase()}`}
                onClick={() => onChange(values.filter((v) => v !== name))}
                className="rounded p-0.5 hover:bg-black/10 dark:hover:bg-white/10"
              >
                <X aria-hidden size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="flex gap-2">
        <input
          aria-label={`${label}: name to add`}
          aria-describedby={error || !hint ? undefined : `${id}-hint`}
          className={cx(inputClass, 'font-mono')}
          list={known ? `${id}-known` : undefined}
          value={text}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <Button onClick={add} disabled={text.trim() === ''} aria-label={`Add to ${label.toLowerCase()}`}>
          <Plus aria-hidden size={15} /> Add
        </Button>
      </div>
      {known && (
        <datalist id={`${id}-known`}>
          {known
            .filter((name) => !values.includes(name))
            .map((name) => (
              <option key={name} value={name} />
            ))}
        </datalist>
      )}
      {error ? (
        <FieldError message={error} />
      ) : (
        hint && (
          <div id={`${id}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {hint}
          </div>
        )
      )}
    </fieldset>
  );
}
