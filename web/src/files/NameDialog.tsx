import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Button, FieldError, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';

/**
 * Asks for a file or folder name. `onSubmit` does the work; when the server refuses (the name is taken, or not a
 * valid name) its reason is shown here and the dialog stays open for another try.
 */
export function NameDialog({
  title,
  label,
  initial = '',
  submitLabel,
  onSubmit,
  onCancel,
}: {
  title: string;
  label: string;
  initial?: string;
  submitLabel: string;
  onSubmit: (name: string) => Promise<void>;
  onCancel: () => void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    // Select the name without its extension, which a rename rarely changes.
    const dot = el.value.lastIndexOf('.');
    el.setSelectionRange(0, dot > 0 ? dot : el.value.length);
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Type a name.');
    setBusy(true);
    setError(null);
    try {
      await onSubmit(trimmed);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center p-4"
      role="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
    >
      {/* A click beside the dialog cancels it; keyboards have Escape and the Cancel button. */}
      <button type="button" aria-hidden tabIndex={-1} className="absolute inset-0 bg-black/40" onClick={onCancel} />
      <form
        onSubmit={(e) => void submit(e)}
        className="relative w-full max-w-sm rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900"
      >
        <h2 id={`${id}-title`} className="text-base font-semibold">
          {title}
        </h2>
        <label htmlFor={`${id}-name`} className="mt-3 block text-sm text-zinc-600 dark:text-zinc-400">
          {label}
        </label>
        <input
          ref={input}
          id={`${id}-name`}
          className={`${inputClass} mt-1`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
        />
        <FieldError message={error} />
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </div>
  );
}
