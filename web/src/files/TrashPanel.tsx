import type { TrashItem } from '@contract/files';
import { ArchiveRestore, ArrowLeft, Trash2 } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Button, FieldError } from '../components/ui';
import { errorMessage } from '../lib/api';
import { iconFor } from './file-icon';
import { emptyTrash, listTrash, parentOf } from './files-api';
import { restore } from './file-actions';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What was deleted from the tree (it lives in .boxagnts/trash), each item restorable to where it was. */
export function TrashPanel({ onClose }: { onClose: () => void }) {
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // Stable, so the dialog keeps its focus where it is while this panel renders again.
  const cancelEmpty = useCallback(() => setConfirming(false), []);
  const load = useCallback(() => listTrash().then(setItems, (e: unknown) => setError(errorMessage(e))), []);
  useEffect(() => {
    void load();
  }, [load]);

  const restoreItem = async (item: TrashItem) => {
    setBusy(true);
    await restore([item]);
    await load();
    setBusy(false);
  };
  const empty = async () => {
    setBusy(true);
    try {
      await emptyTrash();
      setConfirming(false);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="trash-title" className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-1.5 border-b border-zinc-200 px-2 py-1.5 dark:border-zinc-800">
        <button
          type="button"
          aria-label="Back to the files"
          onClick={onClose}
          className="rounded p-1.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <ArrowLeft size={16} />
        </button>
        <h2 id="trash-title" className="flex-1 text-sm font-semibold">
          Trash
        </h2>
        <Button
          variant="danger-ghost"
          className="px-2 py-1"
          disabled={busy || !items?.length}
          onClick={() => setConfirming(true)}
        >
          <Trash2 size={14} aria-hidden /> Empty trash
        </Button>
      </div>
      <div className="px-3">
        <FieldError message={error} />
      </div>
      {items?.length === 0 && <p className="px-4 py-8 text-center text-sm text-zinc-500">The trash is empty.</p>}
      {items && items.length > 0 && (
        <ul
          aria-label="Trashed items"
          className="min-h-0 flex-1 divide-y divide-zinc-100 overflow-y-auto dark:divide-zinc-800/70"
        >
          {items.map((item) => {
            const Icon = iconFor(item);
            return (
              <li key={item.id} className="flex items-center gap-2 px-3 py-2">
                <Icon aria-hidden size={15} className="shrink-0 text-zinc-500" />
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm" title={item.path}>
                    {item.name}
                  </p>
                  <p className="truncate text-xs text-zinc-500" title={`Deleted ${when(item.deletedAt)}`}>
                    {parentOf(item.path) || 'workspace'} · {when(item.deletedAt)}
                  </p>
                </div>
                <Button
                  className="shrink-0 px-2 py-1"
                  disabled={busy}
                  aria-label={`Restore ${item.name}`}
                  onClick={() => void restoreItem(item)}
                >
                  <ArchiveRestore size={14} aria-hidden /> Restore
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      {confirming && (
        <ConfirmDialog
          title="Empty the trash?"
          message={`${items?.length === 1 ? 'The item' : `All ${items?.length ?? 0} items`} in the trash will be deleted for good. This cannot be undone.`}
          confirmLabel="Empty trash"
          busy={busy}
          onConfirm={() => void empty()}
          onCancel={cancelEmpty}
        />
      )}
    </section>
  );
}
