import { X } from 'lucide-react';
import { type ReactNode, useEffect } from 'react';

const HIDDEN_FROM = { md: 'md:hidden', lg: 'lg:hidden' } as const;

/** A panel that slides over the page from the left on narrow screens; Escape or a tap outside closes it. */
export function Drawer({
  label,
  header,
  hiddenFrom,
  onClose,
  children,
}: {
  label: string;
  header: ReactNode;
  hiddenFrom: keyof typeof HIDDEN_FROM;
  onClose: () => void;
  children: ReactNode;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className={`fixed inset-0 z-40 ${HIDDEN_FROM[hiddenFrom]}`} role="dialog" aria-modal="true" aria-label={label}>
      <button
        type="button"
        aria-label={`Close ${label.toLowerCase()}`}
        className="absolute inset-0 bg-black/40"
        onClick={onClose}
      />
      <div className="absolute inset-y-0 left-0 flex w-80 max-w-[88%] flex-col bg-white shadow-xl dark:bg-zinc-900">
        <div className="flex items-center justify-between border-b border-zinc-200 px-4 py-2.5 dark:border-zinc-800">
          {header}
          <button
            type="button"
            aria-label={`Close ${label.toLowerCase()}`}
            className="rounded p-1.5 hover:bg-zinc-100 dark:hover:bg-zinc-800"
            onClick={onClose}
          >
            <X size={18} />
          </button>
        </div>
        <div className="flex min-h-0 flex-1 flex-col">{children}</div>
      </div>
    </div>
  );
}
