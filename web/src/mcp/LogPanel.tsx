import { RefreshCw, X } from 'lucide-react';
import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Button, FieldError } from '../components/ui';
import { errorMessage } from '../lib/api';
import { loadLog } from './mcp-api';

/** A server's log (its stderr and our notes, the last 1 MB), scrolled to its end, read again on Refresh. */
export function LogPanel({ name, onClose }: { name: string; onClose: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const pre = useRef<HTMLPreElement>(null);
  const refresh = useCallback(() => {
    setLoading(true);
    setError(null);
    loadLog(name)
      .then(setText, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setLoading(false));
  }, [name]);
  useEffect(refresh, [refresh]);
  // The newest lines are the ones that explain a failure: show the end, not the start.
  useLayoutEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };
  return (
    <section
      aria-label={`Log of ${name}`}
      onKeyDown={onKey}
      className="mt-3 rounded-md border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-950"
    >
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-1.5 dark:border-zinc-800">
        <h4 className="text-sm font-medium">Log</h4>
        <div className="flex gap-1">
          <Button variant="ghost" onClick={refresh} disabled={loading} aria-label={`Refresh the log of ${name}`}>
            <RefreshCw aria-hidden size={14} className={loading ? 'animate-spin' : undefined} /> Refresh
          </Button>
          <Button variant="ghost" onClick={onClose} aria-label={`Close the log of ${name}`}>
            <X aria-hidden size={14} /> Close
          </Button>
        </div>
      </div>
      <FieldError message={error} />
      <pre
        ref={pre}
        tabIndex={0}
        aria-label={`Log text of ${name}`}
        className="max-h-80 overflow-auto p-3 font-mono text-xs whitespace-pre-wrap break-words text-zinc-800 dark:text-zinc-200"
      >
        {text === null ? 'Loading…' : text.trim() === '' ? 'The log is empty.' : text}
      </pre>
    </section>
  );
}
