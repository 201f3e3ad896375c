import { AgentsMdSchema } from '@contract/workspace';
import { useEffect, useState } from 'react';
import { Button, FieldError, PageHeader } from '../components/ui';
import { api, errorMessage } from '../lib/api';

/** Edits .boxagnts/AGENTS.md, the notes that go into every system prompt of this workspace. */
export function AgentsMdPage() {
  const [saved, setSaved] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('/api/agents-md', AgentsMdSchema).then(
      ({ content }) => {
        setSaved(content);
        setDraft(content);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const { content } = await api('/api/agents-md', AgentsMdSchema, { method: 'PUT', body: { content: draft } });
      setSaved(content);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const dirty = saved !== null && draft !== saved;

  return (
    <>
      <PageHeader
        title="AGENTS.md"
        description="Notes for the agent about this workspace: conventions, commands, things to avoid. They are added to the system prompt of every run."
        actions={
          <Button variant="primary" disabled={!dirty || busy} onClick={() => void save()}>
            {busy ? 'Saving…' : dirty ? 'Save' : 'Saved'}
          </Button>
        }
      />
      <label htmlFor="agents-md" className="sr-only">
        AGENTS.md
      </label>
      <textarea
        id="agents-md"
        value={draft}
        disabled={saved === null}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key === 's') {
            e.preventDefault();
            if (dirty) void save();
          }
        }}
        placeholder={'# Project notes\n\n- Run tests with `npm test`.\n- Never edit generated files in dist/.'}
        spellCheck={false}
        className="h-[60vh] w-full resize-y rounded-lg border border-zinc-300 bg-white p-3 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-950"
      />
      <FieldError message={error} />
      <p className="mt-2 text-xs text-zinc-500">Stored in .boxagnts/AGENTS.md. Ctrl+S (⌘S) saves.</p>
    </>
  );
}
