import { X } from 'lucide-react';
import type { KeyboardEvent } from 'react';
import { cx } from '../components/ui';
import { iconFor } from './file-icon';
import { nameOf, parentOf } from './files-api';
import { type Tab, activate } from './tabs-store';

export const tabElementId = (id: number) => `file-tab-${id}`;
export const EDITOR_PANEL_ID = 'file-editor-panel';

/**
 * The open files. Left and Right move between tabs; Delete, a middle click or the × closes one (the page asks
 * first when it has unsaved edits, which its dot shows). Two files of the same name say which folder each is in.
 */
export function EditorTabs({
  tabs,
  active,
  onClose,
}: {
  tabs: Tab[];
  active: number | null;
  onClose: (tab: Tab) => void;
}) {
  const names = tabs.map((t) => nameOf(t.path));
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    if (event.key === 'Delete') return onClose(tabs[index]!);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length]!;
    activate(next.id);
    document.getElementById(tabElementId(next.id))?.focus();
  };
  return (
    <div
      role="tablist"
      aria-label="Open files"
      className="flex h-10 shrink-0 overflow-x-auto overflow-y-hidden border-b border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60"
    >
      {tabs.map((tab, index) => {
        const name = names[index]!;
        const selected = tab.id === active;
        const Icon = iconFor({ name, type: 'file' });
        const twin = names.filter((n) => n === name).length > 1;
        return (
          <div
            key={tab.id}
            className={cx(
              'group relative flex max-w-60 shrink-0 items-center border-r border-zinc-200 dark:border-zinc-800',
              selected ? 'bg-white dark:bg-zinc-950' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800/60',
            )}
          >
            {selected && <span aria-hidden className="absolute inset-x-0 top-0 h-0.5 bg-teal-600" />}
            <button
              type="button"
              role="tab"
              id={tabElementId(tab.id)}
              aria-selected={selected}
              aria-controls={selected ? EDITOR_PANEL_ID : undefined}
              tabIndex={selected ? 0 : -1}
              title={tab.path}
              onClick={() => activate(tab.id)}
              onMouseDown={(e) => e.button === 1 && e.preventDefault()}
              onAuxClick={(e) => e.button === 1 && onClose(tab)}
              onKeyDown={(e) => onKeyDown(e, index)}
              className={cx(
                'flex h-full min-w-0 items-center gap-1.5 pl-3 pr-1 text-sm',
                selected ? 'text-zinc-900 dark:text-zinc-100' : 'text-zinc-600 dark:text-zinc-400',
              )}
            >
              <Icon aria-hidden size={14} className="shrink-0 opacity-70" />
              <span className="truncate">{name}</span>
              {twin && <span className="truncate text-xs text-zinc-500">{parentOf(tab.path) || 'workspace'}</span>}
              {tab.dirty && <span className="sr-only">(unsaved)</span>}
            </button>
            <button
              type="button"
              tabIndex={-1}
              aria-label={`Close ${name}${tab.dirty ? ' (unsaved changes)' : ''}`}
              title={tab.dirty ? 'Unsaved changes: close…' : 'Close'}
              onClick={() => onClose(tab)}
              className="mr-1 flex h-6 w-6 shrink-0 items-center justify-center rounded text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
            >
              {tab.dirty ? (
                <>
                  <span
                    data-testid="unsaved-dot"
                    className="h-2 w-2 rounded-full bg-zinc-600 group-hover:hidden dark:bg-zinc-300"
                  />
                  <X size={14} className="hidden group-hover:block" />
                </>
              ) : (
                <X size={14} className={cx(!selected && 'sm:opacity-0 sm:group-hover:opacity-100')} />
              )}
            </button>
          </div>
        );
      })}
    </div>
  );
}
