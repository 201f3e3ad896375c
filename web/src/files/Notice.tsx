import { X } from 'lucide-react';
import { useEffect } from 'react';
import { cx } from '../components/ui';
import { useStore } from '../lib/store';
import { dismissNotice, noticeStore } from './notice';

/** How long a notice stays; one with an Undo stays longer, so there is time to use it. Errors stay until closed. */
const SHOWN_MS = 6000;
const WITH_ACTION_MS = 12000;

/** The page's status line, at the bottom; read out by screen readers as it changes. */
export function Notice() {
  const notice = useStore(noticeStore, (s) => s.notice);
  useEffect(() => {
    if (!notice || notice.tone === 'error') return;
    const timer = setTimeout(() => dismissNotice(notice.id), notice.action ? WITH_ACTION_MS : SHOWN_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return (
    <div role="status" className="pointer-events-none absolute inset-x-0 bottom-4 z-30 flex justify-center px-4">
      {notice && (
        <div
          role={notice.tone === 'error' ? 'alert' : undefined}
          className={cx(
            'pointer-events-auto flex max-w-full items-center gap-3 rounded-lg px-4 py-2.5 text-sm shadow-lg sm:max-w-xl',
            notice.tone === 'error'
              ? 'bg-red-700 text-white dark:bg-red-800'
              : 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900',
          )}
        >
          <span className="min-w-0 break-words">{notice.message}</span>
          {notice.action && (
            <button
              type="button"
              onClick={() => {
                dismissNotice(notice.id);
                notice.action!.run();
              }}
              className="shrink-0 rounded px-2 py-0.5 font-semibold text-teal-300 hover:bg-white/10 dark:text-teal-700 dark:hover:bg-black/5"
            >
              {notice.action.label}
            </button>
          )}
          <button
            type="button"
            aria-label="Dismiss"
            onClick={() => dismissNotice(notice.id)}
            className="shrink-0 rounded p-0.5 opacity-70 hover:opacity-100"
          >
            <X size={15} />
          </button>
        </div>
      )}
    </div>
  );
}
