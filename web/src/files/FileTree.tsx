import type { FileEntry } from '@contract/files';
import { ChevronRight, LoaderCircle, MoreHorizontal, Upload } from 'lucide-react';
import { type DragEvent, type KeyboardEvent, type MouseEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Button, cx } from '../components/ui';
import { useStore } from '../lib/store';
import { parentOf } from './files-api';
import { iconFor } from './file-icon';
import { type Row, collapse, expand, loadFolder, select, targetFolder, treeStore, visibleRows } from './tree-store';

export type TreeCommand = 'rename' | 'delete';

const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

/** The folder a drop lands in: the folder row under the pointer, a file row's folder, else the selected folder. */
function dropFolder(target: EventTarget | null): string {
  const row = (target as Element | null)?.closest<HTMLElement>('[data-path]');
  if (!row) return targetFolder();
  const path = row.dataset.path!;
  return row.dataset.type === 'dir' ? path : parentOf(path);
}

function TreeRow({
  row,
  expanded,
  loading,
  selected,
  focusable,
  active,
  menuOpen,
  cut,
  dropping,
  onActivate,
  onMenu,
}: {
  row: Row;
  expanded: boolean;
  loading: boolean;
  selected: boolean;
  focusable: boolean;
  active: boolean;
  /** Its context menu is open: marked so the user sees which row the commands act on. */
  menuOpen: boolean;
  cut: boolean;
  dropping: boolean;
  onActivate: (entry: FileEntry) => void;
  onMenu: (entry: FileEntry, x: number, y: number) => void;
}) {
  const { entry, level } = row;
  const Icon = iconFor(entry, expanded);
  const isDir = entry.type === 'dir';
  const openMenu = (event: MouseEvent) => {
    event.preventDefault();
    event.stopPropagation();
    select(entry.path);
    onMenu(entry, event.clientX, event.clientY);
  };
  return (
    <div
      role="treeitem"
      aria-label={entry.name}
      data-path={entry.path}
      data-type={entry.type}
      aria-level={level}
      aria-setsize={row.setSize}
      aria-posinset={row.posInSet}
      aria-expanded={isDir ? expanded : undefined}
      aria-selected={selected}
      aria-current={active ? 'true' : undefined}
      tabIndex={focusable ? 0 : -1}
      onFocus={(event) => event.target === event.currentTarget && !selected && select(entry.path)}
      onClick={() => {
        select(entry.path);
        onActivate(entry);
      }}
      onContextMenu={openMenu}
      style={{ paddingLeft: `${0.25 + (level - 1) * 0.875}rem` }}
      className={cx(
        'group flex cursor-pointer select-none items-center gap-1 rounded-md py-1.5 pr-1 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-teal-600 lg:py-1',
        dropping
          ? 'bg-teal-100 ring-2 ring-inset ring-teal-500 dark:bg-teal-900/60'
          : menuOpen
            ? 'bg-teal-100 text-teal-950 ring-2 ring-inset ring-teal-600 dark:bg-teal-950 dark:text-teal-50 dark:ring-teal-400'
            : active
              ? 'bg-teal-50 text-teal-900 dark:bg-teal-950 dark:text-teal-100'
              : selected
                ? 'bg-zinc-100 dark:bg-zinc-800'
                : 'hover:bg-zinc-100 dark:hover:bg-zinc-800/70',
        cut && 'opacity-50',
      )}
    >
      <span aria-hidden className="flex w-4 shrink-0 justify-center text-zinc-400">
        {isDir &&
          (loading ? (
            <LoaderCircle size={13} className="animate-spin" />
          ) : (
            <ChevronRight size={14} className={cx('transition-transform', expanded && 'rotate-90')} />
          ))}
      </span>
      <Icon
        aria-hidden
        size={15}
        className={cx('shrink-0', isDir ? 'text-sky-600 dark:text-sky-400' : 'text-zinc-500 dark:text-zinc-400')}
      />
      <span className="min-w-0 flex-1 truncate" title={entry.path}>
        {entry.name}
      </span>
      <button
        type="button"
        tabIndex={-1}
        aria-label={`Actions for ${entry.name}`}
        onClick={(event) => {
          event.stopPropagation();
          select(entry.path);
          const rect = event.currentTarget.getBoundingClientRect();
          onMenu(entry, rect.left, rect.bottom + 2);
        }}
        className="shrink-0 rounded p-0.5 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 sm:opacity-0 sm:group-hover:opacity-100 sm:group-aria-selected:opacity-100 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
      >
        <MoreHorizontal size={15} />
      </button>
    </div>
  );
}

/**
 * The workspace as a tree that lists a folder only when it is opened. Follows the WAI-ARIA tree pattern: one tab
 * stop, arrows move and open/close, Enter opens, Shift+F10 or the menu key (or right-click, or the row's ⋯ button
 * on touch screens) shows the commands, F2 renames, Delete moves to the trash. Files dropped from the computer are
 * uploaded into the folder they are dropped on.
 */
export function FileTree({
  activePath,
  menuPath,
  cutPaths,
  onOpenFile,
  onMenu,
  onCommand,
  onDropFiles,
}: {
  activePath: string | null;
  /** The row whose context menu is open, if any. */
  menuPath: string | null;
  cutPaths: string[];
  onOpenFile: (path: string) => void;
  /** `entry` null: the workspace itself (the empty space below the rows). */
  onMenu: (entry: FileEntry | null, x: number, y: number) => void;
  onCommand: (command: TreeCommand, entry: FileEntry) => void;
  /** Called while the drop event lasts: its DataTransfer is emptied afterwards. */
  onDropFiles: (dir: string, data: DataTransfer) => void;
}) {
  const state = useStore(treeStore, (s) => s);
  const rows = useMemo(() => visibleRows(state), [state]);
  const tree = useRef<HTMLDivElement>(null);
  /** While files are dragged over the tree: the folder they would land in. */
  const [dropDir, setDropDir] = useState<string | null>(null);
  const root = state.folders[''];
  const selectedIndex = rows.findIndex((r) => r.entry.path === state.selected);
  const focusIndex = Math.max(selectedIndex, 0);

  useEffect(() => {
    if (state.selected === null) return;
    tree.current?.querySelector(`[data-path="${CSS.escape(state.selected)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [state.selected]);

  /** Focus moves at once (the row's focus handler selects it), so a key pressed right after acts on the new row. */
  const focusRow = (index: number) => {
    const row = rows[Math.max(0, Math.min(index, rows.length - 1))];
    if (row) tree.current?.querySelector<HTMLElement>(`[data-path="${CSS.escape(row.entry.path)}"]`)?.focus();
  };

  const activate = (entry: FileEntry) => {
    if (entry.type === 'file') onOpenFile(entry.path);
    else if (state.expanded[entry.path]) collapse(entry.path);
    else void expand(entry.path);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const path = (event.target as HTMLElement).closest<HTMLElement>('[data-path]')?.dataset.path;
    const index = rows.findIndex((r) => r.entry.path === path);
    const current = rows[index];
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    const { entry, level } = current;
    const open = entry.type === 'dir' && Boolean(state.expanded[entry.path]);
    switch (event.key) {
      case 'ArrowDown':
        focusRow(index + 1);
        break;
      case 'ArrowUp':
        focusRow(index - 1);
        break;
      case 'Home':
        focusRow(0);
        break;
      case 'End':
        focusRow(rows.length - 1);
        break;
      case 'ArrowRight':
        if (entry.type !== 'dir') return;
        if (!open) void expand(entry.path);
        else if (rows[index + 1]?.level === level + 1) focusRow(index + 1);
        break;
      case 'ArrowLeft':
        if (open) collapse(entry.path);
        else if (level > 1) focusRow(rows.findIndex((r) => r.entry.path === parentOf(entry.path)));
        break;
      case 'Enter':
      case ' ':
        activate(entry);
        break;
      case 'F2':
        onCommand('rename', entry);
        break;
      case 'Delete':
        onCommand('delete', entry);
        break;
      case 'F10':
      case 'ContextMenu': {
        if (event.key === 'F10' && !event.shiftKey) return;
        const rect = (event.target as HTMLElement).getBoundingClientRect();
        onMenu(entry, rect.left + 24, rect.bottom);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  const onDragOver = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDropDir(dropFolder(event.target));
  };

  return (
    <div
      className={cx(
        'relative flex min-h-0 flex-1 flex-col',
        dropDir === '' && 'bg-teal-50/60 ring-2 ring-inset ring-teal-500 dark:bg-teal-950/40',
      )}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropDir(null);
      }}
      onDrop={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDropDir(null);
        onDropFiles(dropFolder(event.target), event.dataTransfer);
      }}
      onContextMenu={(event) => {
        event.preventDefault();
        onMenu(null, event.clientX, event.clientY);
      }}
    >
      <div
        ref={tree}
        role="tree"
        aria-label="Workspace files"
        onKeyDown={onKeyDown}
        className="min-h-0 flex-1 overflow-y-auto overflow-x-hidden px-1.5 py-1.5"
      >
        {rows.map((row, index) => {
          const dir = state.folders[row.entry.path];
          return (
            <TreeRow
              key={row.entry.path}
              row={row}
              expanded={Boolean(state.expanded[row.entry.path])}
              loading={Boolean(dir?.loading && !dir.entries)}
              selected={index === selectedIndex}
              focusable={index === focusIndex}
              active={row.entry.path === activePath}
              menuOpen={row.entry.path === menuPath}
              cut={cutPaths.includes(row.entry.path)}
              dropping={dropDir !== null && dropDir !== '' && dropDir === row.entry.path}
              onActivate={activate}
              onMenu={onMenu}
            />
          );
        })}
      </div>
      {root?.error && (
        <div
          role="alert"
          className="mx-3 mb-3 rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <p>{root.error}</p>
          <Button className="mt-2" onClick={() => void loadFolder('')}>
            Try again
          </Button>
        </div>
      )}
      {root?.entries?.length === 0 && (
        <p className="absolute inset-x-0 top-6 px-6 text-center text-sm text-zinc-500">
          This workspace is empty. Create a file, or drop files here to upload them.
        </p>
      )}
      {dropDir !== null && (
        <p
          aria-hidden
          className="pointer-events-none absolute inset-x-2 bottom-2 flex items-center gap-2 truncate rounded-md bg-teal-700 px-3 py-1.5 text-sm text-white shadow"
        >
          <Upload size={14} className="shrink-0" /> Upload to {dropDir || 'the workspace'}
        </p>
      )}
    </div>
  );
}
