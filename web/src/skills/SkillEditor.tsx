import type { SkillDetail } from '@contract/skills';
import { useId, useState } from 'react';
import { Button, FieldError } from '../components/ui';
import { errorMessage } from '../lib/api';
import { saveSkill } from './skills-api';

/**
 * SKILL.md as text. An editable skill saves here; the server checks it with the same parser that loads it, and when it
 * refuses, nothing is written, the reason is shown and what was typed stays. A read-only skill (built-in, or from the
 * repository) shows its text and how to replace it.
 */
export function SkillEditor({ detail, onSaved }: { detail: SkillDetail; onSaved: (detail: SkillDetail) => void }) {
  const id = useId();
  const { skill, source } = detail;
  const [draft, setDraft] = useState(source);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const dirty = draft !== source;

  const save = async () => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await saveSkill(skill.name, draft));
      setSaved(true);
    } catch (e) {
      setError(`Not saved: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="mt-6">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="text-base font-semibold">
          SKILL.md
        </h2>
        {skill.editable && (
          <div className="flex items-center gap-3">
            <span role="status" className="text-xs text-zinc-600 dark:text-zinc-400">
              {dirty ? 'Unsaved changes' : saved ? 'Saved' : ''}
            </span>
            <Button variant="primary" disabled={!dirty || busy} onClick={() => void save()}>
              {busy ? 'Saving…' : 'Save'}
            </Button>
          </div>
        )}
      </div>
      {!skill.editable && (
        <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
          Read-only: {skill.path} is not changed from here. To adapt it, export it and import the .zip, or create a
          skill named {skill.name} in this workspace: it takes precedence.
        </p>
      )}
      {/* Above the text, so the reason shows beside Save however long the text is. */}
      <div id={`${id}-error`} className="mb-2 empty:hidden">
        <FieldError message={error} />
      </div>
      <label htmlFor={`${id}-source`} className="sr-only">
        SKILL.md of {skill.name}
      </label>
      <textarea
        id={`${id}-source`}
        value={draft}
        readOnly={!skill.editable}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key === 's') {
            e.preventDefault();
            if (dirty && !busy) void save();
          }
        }}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="h-[55vh] min-h-64 w-full resize-y rounded-lg border border-zinc-300 bg-white p-3 font-mono text-[13px] leading-relaxed text-zinc-900 focus:border-teal-600 focus:outline-none read-only:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 dark:read-only:bg-zinc-900"
      />
      {skill.editable && (
        <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          Front matter between the --- lines (name and description are required), then the instructions. Ctrl+S (⌘S)
          saves.
        </p>
      )}
    </section>
  );
}
