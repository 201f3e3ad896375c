import type { FileEntry } from '@contract/files';
import { ClipboardPaste, Copy, Download, FilePlus, FolderPlus, Pencil, Scissors, Trash2, Upload } from 'lucide-react';
import type { MenuItem } from './ContextMenu';

export interface EntryCommands {
  newFile(dir: string): void;
  newFolder(dir: string): void;
  upload(dir: string): void;
  rename(entry: FileEntry): void;
  copy(entry: FileEntry, mode: 'copy' | 'cut'): void;
  paste(dir: string): void;
  download(entry: FileEntry): void;
  delete(entry: FileEntry): void;
}

/**
 * The commands for a row of the tree, or for the workspace itself (`entry` null). What is created, uploaded or
 * pasted goes into the folder, or into the folder the file is in.
 */
export function entryMenu(entry: FileEntry | null, dir: string, canPaste: boolean, run: EntryCommands): MenuItem[] {
  const items: MenuItem[] = [
    { label: 'New file…', icon: FilePlus, onSelect: () => run.newFile(dir) },
    { label: 'New folder…', icon: FolderPlus, onSelect: () => run.newFolder(dir) },
    { label: 'Upload files…', icon: Upload, onSelect: () => run.upload(dir) },
  ];
  if (entry) {
    items.push(
      { label: 'Rename…', icon: Pencil, onSelect: () => run.rename(entry), separated: true },
      { label: 'Copy', icon: Copy, onSelect: () => run.copy(entry, 'copy') },
      { label: 'Cut', icon: Scissors, onSelect: () => run.copy(entry, 'cut') },
    );
  }
  items.push({
    label: 'Paste',
    icon: ClipboardPaste,
    onSelect: () => run.paste(dir),
    disabled: !canPaste,
    separated: !entry,
  });
  if (entry?.type === 'file') items.push({ label: 'Download', icon: Download, onSelect: () => run.download(entry) });
  if (entry)
    items.push({ label: 'Delete', icon: Trash2, onSelect: () => run.delete(entry), danger: true, separated: true });
  return items;
}
