import { SKILL_DESCRIPTION_MAX, SKILL_NAME_MAX } from '@contract/skills';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Button, FieldError, inputClass } from '../components/ui';
import { errorMessage } from '../lib/api';

/**
 * Asks for a new skill's name and description; the skill starts from the template in `.boxagnts/skills/NAME/`. A
 * refusal (a taken or invalid name) is shown here and the dialog stays open.
 */
export function CreateSkillDialog({
  onCreate,
  onCancel,
}: {
  onCreate: (body: { name: string; description: string }) => Promise<void>;
  onCancel: () => void;
}) {
  const id = useId();
  const first = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    first.current?.focus();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onCreate({ name: name.trim(), description: description.trim() });
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
      <button type="button" aria-hidden tabIndex={-1} className="absolute inset-0 bg-black/40" onClick={onCancel} />
      <form
        onSubmit={(e) => void submit(e)}
        className="relative w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900"
      >
        <h2 id={`${id}-title`} className="text-base font-semibold">
          New skill
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Created in .boxagnts/skills/ from a template you then edit.
        </p>
        <label htmlFor={`${id}-name`} className="mt-4 block text-sm font-medium">
          Name
        </label>
        <input
          ref={first}
          id={`${id}-name`}
          className={`${inputClass} mt-1 font-mono`}
          value={name}
          maxLength={SKILL_NAME_MAX}
          onChange={(e) => setName(e.target.value)}
          placeholder="release-notes"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={`${id}-name-hint`}
        />
        <p id={`${id}-name-hint`} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          Lower-case letters, digits and hyphens; also the folder’s name and the /command in the chat.
        </p>
        <label htmlFor={`${id}-description`} className="mt-4 block text-sm font-medium">
          Description
        </label>
        <textarea
          id={`${id}-description`}
          className={`${inputClass} mt-1`}
          rows={3}
          value={description}
          maxLength={SKILL_DESCRIPTION_MAX}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="Writes release notes from the commits since the last tag. Use when the user prepares a release."
          required
          aria-describedby={`${id}-description-hint`}
        />
        <p id={`${id}-description-hint`} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          What it does and when to use it: the agent decides from this alone whether to load the skill.
        </p>
        <FieldError message={error} />
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Create
          </Button>
        </div>
      </form>
    </div>
  );
}
