import type { FileEntry } from '@contract/files';
import { ChevronRight, FilePlus, FileText, FolderPlus, type LucideIcon, Trash2, Upload } from 'lucide-react';
import { type ChangeEvent, type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { cx } from '../components/ui';
import { useStore } from '../lib/store';
import { watchFileChanges } from './changes';
import { ContextMenu } from './ContextMenu';
import { EditorPane } from './EditorPane';
import { EditorTabs } from './EditorTabs';
import { FileTree, type TreeCommand } from './FileTree';
import { NameDialog } from './NameDialog';
import { Notice } from './Notice';
import { TrashPanel } from './TrashPanel';
import { UploadStatus } from './UploadStatus';
import { type EntryCommands, entryMenu } from './entry-menu';
import { clipboardStore, copy, createFile, createFolder, download, moveToTrash, paste, rename } from './file-actions';
import { nameOf, parentOf } from './files-api';
import { useOpenLink } from './open-link';
import * as tabs from './tabs-store';
import * as tree from './tree-store';
import { uploadDropped, uploadFiles } from './upload';

interface Naming {
  title: string;
  label: string;
  initial?: string;
  submitLabel: string;
  onSubmit: (name: string) => Promise<void>;
}

function HeaderButton({
  label,
  icon: Icon,
  onClick,
  pressed,
}: {
  label: string;
  icon: LucideIcon;
  onClick: () => void;
  pressed?: boolean;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      onClick={onClick}
      className={cx(
        'rounded p-1.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
        pressed && 'bg-zinc-200 dark:bg-zinc-700',
      )}
    >
      <Icon size={16} />
    </button>
  );
}

/** Files dragged from the computer and let go outside the tree must not make the browser open them instead of the page. */
function refuseStrayDrop(event: DragEvent) {
  if (!event.dataTransfer.types.includes('Files') || event.isDefaultPrevented()) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'none';
}

/**
 * The workspace's files: a tree that follows the disk on the left, the open files in tabs on the right. On a phone
 * only one of the two is shown at a time; opening a file shows the editor, its back button the tree.
 */
export function FilesPage() {
  const { tabs: open, active } = useStore(tabs.tabsStore, (s) => s);
  const activeTab = open.find((t) => t.id === active) ?? null;
  const clipboard = useStore(clipboardStore, (s) => s.clipboard);
  const [pane, setPane] = useState<'tree' | 'editor'>(activeTab ? 'editor' : 'tree');
  const [trashOpen, setTrashOpen] = useState(false);
  const [menu, setMenu] = useState<{ entry: FileEntry | null; x: number; y: number } | null>(null);
  const [naming, setNaming] = useState<Naming | null>(null);
  const [closing, setClosing] = useState<tabs.Tab | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const pickInto = useRef('');

  useEffect(() => {
    // Coming back to the page: what is shown may be stale, and the server may have stopped watching it.
    tree.refreshShown();
    tabs.recheckAll();
    return watchFileChanges((changes, truncated) => {
      tree.applyChanges(changes, truncated);
      tabs.applyChanges(changes, truncated);
    });
  }, []);

  useEffect(() => {
    if (!activeTab) setPane('tree');
  }, [activeTab]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return;
      event.preventDefault();
      const id = tabs.tabsStore.get().active;
      if (id !== null) void tabs.save(id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const openFile = useCallback((path: string) => {
    tabs.openFile(path);
    setPane('editor');
  }, []);
  const openLinked = useCallback(
    (path: string) => {
      openFile(path);
      void tree.reveal(path);
    },
    [openFile],
  );
  useOpenLink(openLinked);

  const closeNaming = useCallback(() => setNaming(null), []);
  const closeMenu = useCallback(() => setMenu(null), []);
  const cancelClose = useCallback(() => setClosing(null), []);
  const requestClose = useCallback((tab: tabs.Tab) => (tab.dirty ? setClosing(tab) : tabs.closeTab(tab.id)), []);

  const commands: EntryCommands = useMemo(
    () => ({
      newFile: (dir) =>
        setNaming({
          title: 'New file',
          label: `Name of the file, in ${dir || 'the workspace'}`,
          submitLabel: 'Create',
          onSubmit: async (name) => {
            await createFile(dir, name);
            setNaming(null);
            setPane('editor');
          },
        }),
      newFolder: (dir) =>
        setNaming({
          title: 'New folder',
          label: `Name of the folder, in ${dir || 'the workspace'}`,
          submitLabel: 'Create',
          onSubmit: async (name) => {
            await createFolder(dir, name);
            setNaming(null);
          },
        }),
      upload: (dir) => {
        pickInto.current = dir;
        picker.current?.click();
      },
      rename: (entry) =>
        setNaming({
          title: `Rename ${entry.type === 'dir' ? 'folder' : 'file'}`,
          label: `New name of ${entry.name}`,
          initial: entry.name,
          submitLabel: 'Rename',
          onSubmit: async (name) => {
            await rename(entry.path, name);
            setNaming(null);
          },
        }),
      copy: (entry, mode) => copy([entry.path], mode),
      paste: (dir) => void paste(dir),
      download: (entry) => download(entry.path),
      delete: (entry) => void moveToTrash([entry.path]),
    }),
    [],
  );

  const onTreeCommand = useCallback(
    (command: TreeCommand, entry: FileEntry) =>
      command === 'rename' ? commands.rename(entry) : commands.delete(entry),
    [commands],
  );
  const onMenu = useCallback((entry: FileEntry | null, x: number, y: number) => setMenu({ entry, x, y }), []);
  const onPicked = (event: ChangeEvent<HTMLInputElement>) => {
    void uploadFiles(pickInto.current, [...(event.target.files ?? [])]);
    event.target.value = '';
  };

  const menuDir = menu?.entry ? (menu.entry.type === 'dir' ? menu.entry.path : parentOf(menu.entry.path)) : '';

  return (
    <div className="relative flex h-full min-h-0" onDragOver={refuseStrayDrop} onDrop={refuseStrayDrop}>
      <aside
        className={cx(
          'flex w-full min-w-0 flex-col border-zinc-200 lg:w-72 lg:shrink-0 lg:border-r xl:w-80 dark:border-zinc-800',
          pane === 'editor' && 'max-lg:hidden',
        )}
      >
        <header className="flex h-10 shrink-0 items-center gap-0.5 border-b border-zinc-200 pl-4 pr-2 dark:border-zinc-800">
          <h1 className="min-w-0 flex-1 truncate text-base font-semibold">Files</h1>
          {!trashOpen && (
            <>
              <HeaderButton label="New file" icon={FilePlus} onClick={() => commands.newFile(tree.targetFolder())} />
              <HeaderButton
                label="New folder"
                icon={FolderPlus}
                onClick={() => commands.newFolder(tree.targetFolder())}
              />
              <HeaderButton label="Upload files" icon={Upload} onClick={() => commands.upload(tree.targetFolder())} />
            </>
          )}
          <HeaderButton label="Trash" icon={Trash2} pressed={trashOpen} onClick={() => setTrashOpen(!trashOpen)} />
          {open.length > 0 && (
            <button
              type="button"
              onClick={() => setPane('editor')}
              className="ml-1 flex items-center gap-0.5 rounded-md px-2 py-1 text-sm text-teal-700 hover:bg-zinc-100 lg:hidden dark:text-teal-400 dark:hover:bg-zinc-800"
            >
              Editor ({open.length}) <ChevronRight aria-hidden size={15} />
            </button>
          )}
        </header>
        {trashOpen ? (
          <TrashPanel onClose={() => setTrashOpen(false)} />
        ) : (
          <FileTree
            activePath={activeTab?.path ?? null}
            menuPath={menu?.entry?.path ?? null}
            cutPaths={clipboard?.mode === 'cut' ? clipboard.paths : []}
            onOpenFile={openFile}
            onMenu={onMenu}
            onCommand={onTreeCommand}
            onDropFiles={uploadDropped}
          />
        )}
        <UploadStatus />
        <input ref={picker} type="file" multiple hidden onChange={onPicked} />
      </aside>

      <section aria-label="Editor" className={cx('flex min-w-0 flex-1 flex-col', pane === 'tree' && 'max-lg:hidden')}>
        {activeTab ? (
          <>
            <EditorTabs tabs={open} active={active} onClose={requestClose} />
            <EditorPane tab={activeTab} onBack={() => setPane('tree')} onClose={() => requestClose(activeTab)} />
          </>
        ) : (
          <div className="h-full overflow-y-auto px-4">
            <EmptyState icon={FileText} title="No file open">
              <p>
                Pick a file in the tree to open it here. Drop files from your computer onto a folder to upload them
                there.
              </p>
            </EmptyState>
          </div>
        )}
      </section>

      <Notice />
      {menu && (
        <ContextMenu
          label={menu.entry ? `Actions for ${menu.entry.name}` : 'Workspace actions'}
          x={menu.x}
          y={menu.y}
          items={entryMenu(menu.entry, menuDir, clipboard !== null, commands)}
          onClose={closeMenu}
        />
      )}
      {naming && <NameDialog {...naming} onCancel={closeNaming} />}
      {closing && (
        <ConfirmDialog
          title={`Close ${nameOf(closing.path)}?`}
          message="It has edits that are not saved. Closing the tab throws them away."
          confirmLabel="Close without saving"
          onConfirm={() => {
            tabs.closeTab(closing.id);
            setClosing(null);
          }}
          onCancel={cancelClose}
        />
      )}
    </div>
  );
}
