import { Plus } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';
import { type Discovery } from './DiscoveryResults';
import { BusyIcon } from './bits';
import { errorText } from './types';

export function AddModelForm({
  existing,
  locked,
  onAdd,
}: {
  existing: string[];
  locked: boolean;
  onAdd: (modelId: string) => Promise<void>;
}) {
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
      setDraft((current) => (current === draft ? '' : current));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="mt-3">
      <form onSubmit={(e) => void submit(e)} className="flex gap-2">
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
