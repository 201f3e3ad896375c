import { TriangleAlert } from 'lucide-react';
import { Button } from '../components/ui';
import { type Tab, keepEdits, reload, save } from './tabs-store';

/**
 * What happened on disk to the open file, and the choices: take the disk's version (losing the edits), keep the
 * edits, or (when a save was refused) save over what is there now.
 */
export function DiskBar({ tab, onClose }: { tab: Tab; onClose: () => void }) {
  const { alert } = tab;
  if (!alert) return null;
  const message =
    alert.kind === 'changed'
      ? 'This file changed on disk.'
      : alert.kind === 'deleted'
        ? 'This file was deleted on disk. Saving will create it again.'
        : alert.version === null
          ? 'This file was deleted on disk after you opened it, so your save was not written.'
          : 'This file changed on disk after you opened it, so your save was not written.';
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 sm:px-4 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <p className="flex min-w-0 flex-1 basis-56 items-start gap-2">
        <TriangleAlert aria-hidden size={16} className="mt-0.5 shrink-0 text-amber-600 dark:text-amber-400" />
        <span>{message}</span>
      </p>
      <div className="flex flex-wrap gap-2">
        {alert.kind === 'changed' && (
          <>
            <Button
              className="py-1"
              title="Show the file as it is on disk; your unsaved edits are lost"
              onClick={() => void reload(tab.id)}
            >
              Reload
            </Button>
            <Button className="py-1" onClick={() => keepEdits(tab.id)}>
              Keep my edits
            </Button>
          </>
        )}
        {alert.kind === 'deleted' && (
          <>
            <Button className="py-1" onClick={() => keepEdits(tab.id)}>
              Keep editing
            </Button>
            <Button className="py-1" onClick={onClose}>
              Close tab
            </Button>
          </>
        )}
        {alert.kind === 'conflict' && (
          <>
            {alert.version !== null && (
              <Button className="py-1" onClick={() => void reload(tab.id)}>
                Reload (lose my edits)
              </Button>
            )}
            <Button variant="danger" className="py-1" onClick={() => void save(tab.id, { overwrite: true })}>
              {alert.version === null ? 'Save anyway' : 'Overwrite'}
            </Button>
            <Button className="py-1" onClick={() => keepEdits(tab.id)}>
              Keep editing
            </Button>
          </>
        )}
      </div>
    </div>
  );
}
