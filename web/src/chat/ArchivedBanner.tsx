import { Archive, ArchiveRestore } from 'lucide-react';
import { useState } from 'react';
import { Button } from '../components/ui';
import { apiSend, errorMessage } from '../lib/api';

/**
 * Takes the message box's place in an archived session, which is read-only until restored (the server refuses every
 * change to it). Restoring brings back the child runs it started too.
 */
export function ArchivedBanner({ sessionId, onRestored }: { sessionId: string; onRestored: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiSend(`/api/sessions/${sessionId}/restore`, { method: 'POST' });
      onRestored();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section
      aria-labelledby="archived-banner-title"
      className="border-t border-zinc-200 bg-zinc-50 px-3 py-3 sm:px-6 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="mx-auto flex max-w-3xl flex-wrap items-center gap-x-4 gap-y-2">
        <Archive size={18} aria-hidden className="shrink-0 text-zinc-600 dark:text-zinc-400" />
        <div className="min-w-0 flex-1 text-sm">
          <h2 id="archived-banner-title" className="font-semibold">
            This session is archived
          </h2>
          <p className="text-zinc-600 dark:text-zinc-400">
            It is read-only and kept in .boxagnts/sessions/archive. Restore it to continue the conversation.
          </p>
        </div>
        <Button variant="primary" onClick={() => void restore()} disabled={busy}>
          <ArchiveRestore size={15} aria-hidden /> Restore
        </Button>
      </div>
      {error && (
        <p role="alert" className="mx-auto mt-2 max-w-3xl text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}
