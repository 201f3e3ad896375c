import { Plus, X } from 'lucide-react';
import { useId, useState } from 'react';
import { Button, FieldError, cx, inputClass } from '../components/ui';
import { BusyIcon } from './bits';
import { errorText } from './types';

export type Discovery =
  { state: 'idle' } | { state: 'loading' } | { state: 'done'; models: string[] } | { state: 'failed'; message: string };

/** Past this many ids a filter box is quicker than scrolling. */
const FILTER_AFTER = 8;

const models = (n: number) => `${n} model${n === 1 ? '' : 's'}`;

/**
 * What the discovery found, said against the provider's list as it is now, so adding a model (here or anywhere
 * else on the page) or removing one changes it. `added` are the ones this panel added last.
 */
function discoverySummary(found: string[], existing: string[], added: string[]): string {
  if (found.length === 0) return 'The provider lists no models.';
  const stillAdded = added.filter((m) => existing.includes(m));
  const done =
    stillAdded.length > 0 ? `Added ${stillAdded.length === 1 ? stillAdded[0] : models(stillAdded.length)}. ` : '';
  const left = found.filter((m) => !existing.includes(m)).length;
  if (left === 0)
    return `${done}${found.length === 1 ? 'The one model the provider lists is' : `All ${found.length} models the provider lists are`} added.`;
  if (left === found.length) return `Found ${models(found.length)}.`;
  return `${done}${left} of the ${found.length} models the provider lists ${left === 1 ? 'is' : 'are'} not added yet.`;
}

export function DiscoveryResults({
  found,
  existing,
  locked,
  onAdd,
  onClose,
}: {
  found: string[];
  existing: string[];
  locked: boolean;
  onAdd: (modelIds: string[]) => Promise<void>;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [added, setAdded] = useState<string[]>([]);
  const uid = useId();

  const available = found.filter((m) => !existing.includes(m));
  const needle = filter.trim().toLowerCase();
  const shown = needle ? available.filter((m) => m.toLowerCase().includes(needle)) : available;
  const chosen = available.filter((m) => selected.has(m));
  const allShownChosen = shown.length > 0 && shown.every((m) => selected.has(m));

  const toggle = (modelId: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(modelId);
      else next.delete(modelId);
      return next;
    });

  const add = async () => {
    setSaving(true);
    setError(null);
    try {
      await onAdd(chosen);
      setAdded(chosen);
      setSelected(new Set());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="rounded-md border border-zinc-200 dark:border-zinc-800">
      <div
        className={cx(
          'flex items-start justify-between gap-2 px-3 py-2',
          available.length > 0 && 'border-b border-zinc-200 dark:border-zinc-800',
        )}
      >
        <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
          {discoverySummary(found, existing, added)}
        </p>
        <button
          type="button"
          aria-label="Close the discovered models"
          onClick={onClose}
          className="-m-1 rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X aria-hidden size={15} />
        </button>
      </div>
      {available.length > 0 && (
        <>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-3 pt-2">
            {available.length > FILTER_AFTER && (
              <>
                <label className="sr-only" htmlFor={`${uid}-filter`}>
                  Filter models
                </label>
                <input
                  id={`${uid}-filter`}
                  type="search"
                  className={cx(inputClass, 'sm:max-w-xs')}
                  placeholder={`Filter ${available.length} models`}
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </>
            )}
            <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
              <input
                type="checkbox"
                className="h-4 w-4 accent-teal-700"
                checked={allShownChosen}
                disabled={shown.length === 0}
                onChange={(e) =>
                  setSelected(
                    (s) => new Set(e.target.checked ? [...s, ...shown] : [...s].filter((m) => !shown.includes(m))),
                  )
                }
              />
              Select all{needle ? ' shown' : ''}
            </label>
          </div>
          <ul className="mt-2 max-h-72 overflow-y-auto border-y border-zinc-200 dark:border-zinc-800">
            {shown.map((modelId) => (
              <li key={modelId}>
                <label className="flex cursor-pointer items-center gap-2.5 px-3 py-1.5 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
                  <input
                    type="checkbox"
                    className="h-4 w-4 shrink-0 accent-teal-700"
                    checked={selected.has(modelId)}
                    onChange={(e) => toggle(modelId, e.target.checked)}
                  />
                  <code className="break-all">{modelId}</code>
                </label>
              </li>
            ))}
            {shown.length === 0 && (
              <li className="px-3 py-2 text-sm text-zinc-500">No model matches “{filter.trim()}”.</li>
            )}
          </ul>
          <div className="flex flex-wrap items-center gap-2 px-3 py-2">
            <Button variant="primary" disabled={locked || saving || chosen.length === 0} onClick={() => void add()}>
              <BusyIcon busy={saving} icon={Plus} />{' '}
              {chosen.length === 0 ? 'Add selected' : `Add ${chosen.length} model${chosen.length === 1 ? '' : 's'}`}
            </Button>
          </div>
        </>
      )}
      {error && (
        <div className="px-3 pb-2">
          <FieldError message={error} />
        </div>
      )}
    </div>
  );
}
