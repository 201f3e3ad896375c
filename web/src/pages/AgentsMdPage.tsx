import { AgentsMdSchema } from '@contract/workspace';
import { Check, FilePlus2, FileText } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Button, FieldError, PageHeader } from '../components/ui';
import { api, errorMessage } from '../lib/api';

const PLACEHOLDER =
  'For example:\n\n# Project notes\n\n- Run tests with `npm test`.\n- Never edit generated files in dist/.';

/**
 * Edits .boxagnts/AGENTS.md, the notes that go into every system prompt of this workspace. With no notes yet (no
 * file, or an empty one: both add nothing to a prompt) it says so and offers to write them.
 */
export function AgentsMdPage() {
  const [saved, setSaved] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [writing, setWriting] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    api('/api/agents-md', AgentsMdSchema).then(
      ({ content }) => {
        setSaved(content);
        setDraft(content);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    if (writing) editor.current?.focus();
  }, [writing]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const { content } = await api('/api/agents-md', AgentsMdSchema, { method: 'PUT', body: { content: draft } });
      setSaved(content);
      setJustSaved(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const dirty = saved !== null && draft !== saved;
  const empty = saved === '' && !writing && !dirty;
  const status = dirty ? 'Unsaved changes' : justSaved ? 'Saved' : '';

  return (
    <>
      <PageHeader
        title="AGENTS.md"
        description="Notes for the agent about this workspace: conventions, commands, things to avoid. They are added to the system prompt of every run."
        actions={
          saved !== null &&
          !empty && (
            <>
              <Button variant="primary" disabled={!dirty || busy} onClick={() => void save()}>
                {busy ? 'Saving…' : 'Save'}
              </Button>
              <p role="status" className="flex items-center gap-1 self-center text-sm text-zinc-600 dark:text-zinc-400">
                {status === 'Saved' && <Check aria-hidden size={14} />}
                {status}
              </p>
            </>
          )
        }
      />
      {saved === null && !error && <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>}
      {empty ? (
        <EmptyState icon={FileText} title="No AGENTS.md yet">
          <p>Runs in this workspace get no notes of yours. Write some to tell the agent how this project works.</p>
          <Button variant="primary" className="mt-4" onClick={() => setWriting(true)}>
            <FilePlus2 aria-hidden size={15} /> Create AGENTS.md
          </Button>
        </EmptyState>
      ) : (
        saved !== null && (
          <>
            <label htmlFor="agents-md" className="sr-only">
              AGENTS.md
            </label>
            <textarea
              ref={editor}
              id="agents-md"
              value={draft}
              onChange={(e) => {
                setDraft(e.target.value);
                setJustSaved(false);
              }}
              onKeyDown={(e) => {
                if ((e.ctrlKey || e.metaKey) && e.key === 's') {
                  e.preventDefault();
                  if (dirty) void save();
                }
              }}
              placeholder={PLACEHOLDER}
              spellCheck={false}
              className="h-[60vh] w-full resize-y rounded-lg border border-zinc-300 bg-white p-3 font-mono text-sm placeholder:text-zinc-500 placeholder:italic dark:border-zinc-700 dark:bg-zinc-950 dark:placeholder:text-zinc-400"
            />
            <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
              Stored in .boxagnts/AGENTS.md. Ctrl+S (⌘S) saves.
            </p>
          </>
        )
      )}
      <FieldError message={error} />
    </>
  );
}
