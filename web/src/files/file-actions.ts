import type { TrashItem } from '@contract/files';
import { ApiError } from '../lib/api';
import { createStore } from '../lib/store';
import {
  VersionConflict,
  copyEntries,
  downloadUrl,
  joinPath,
  makeFolder,
  moveEntries,
  nameOf,
  parentOf,
  renameEntry,
  restoreFromTrash,
  saveFile,
  trashEntries,
} from './files-api';
import { notify, notifyError } from './notice';
import * as tabs from './tabs-store';
import * as tree from './tree-store';

/** What Copy or Cut picked up, waiting for Paste. */
export const clipboardStore = createStore<{ clipboard: { mode: 'copy' | 'cut'; paths: string[] } | null }>({
  clipboard: null,
});

const where = (dir: string) => (dir ? dir : 'the workspace');
const named = (paths: string[]) => (paths.length === 1 ? nameOf(paths[0]!) : `${paths.length} items`);

/** Lists `dir` again and selects `path` in it, opening the folders above. */
async function show(dir: string, path: string): Promise<void> {
  await tree.loadFolder(dir);
  await tree.reveal(path);
}

/** Creates an empty file and opens it. Refusals are thrown for the name dialog to show. */
export async function createFile(dir: string, name: string): Promise<void> {
  const path = joinPath(dir, name);
  try {
    await saveFile(path, '', null);
  } catch (error) {
    // A create that finds something there is reported as a version conflict; say what it means here.
    if (error instanceof VersionConflict) throw new ApiError(409, 'exists', `${name} already exists in ${where(dir)}.`);
    throw error;
  }
  await show(parentOf(path), path);
  tabs.openFile(path);
}

export async function createFolder(dir: string, name: string): Promise<void> {
  const path = joinPath(dir, name);
  await makeFolder(path);
  await show(parentOf(path), path);
}

export async function rename(path: string, name: string): Promise<void> {
  const renamed = await renameEntry(path, name);
  tree.followMove(path, renamed);
  tabs.followMove(path, renamed);
  await show(parentOf(renamed), renamed);
}

/** Puts trashed items back where they were; false when one could not go back (its place is taken again). */
export async function restore(items: TrashItem[]): Promise<boolean> {
  try {
    for (const item of items) {
      await restoreFromTrash(item.id);
      await show(parentOf(item.path), item.path);
    }
    notify(`Restored ${named(items.map((i) => i.path))}.`);
    return true;
  } catch (error) {
    notifyError(error);
    return false;
  }
}

/** Deleting moves to the trash, so it asks nothing first and offers Undo instead. */
export async function moveToTrash(paths: string[]): Promise<void> {
  try {
    const trashed = await trashEntries(paths);
    for (const dir of new Set(paths.map(parentOf))) void tree.loadFolder(dir);
    notify(`Moved ${named(paths)} to the trash.`, { action: { label: 'Undo', run: () => void restore(trashed) } });
  } catch (error) {
    notifyError(error);
  }
}

export function copy(paths: string[], mode: 'copy' | 'cut'): void {
  clipboardStore.set({ clipboard: { mode, paths } });
  notify(`${mode === 'copy' ? 'Copied' : 'Cut'} ${named(paths)}: choose Paste on a folder.`);
}

/** Copy pastes duplicates (a taken name gets " copy"); Cut moves, once. */
export async function paste(dir: string): Promise<void> {
  const clipboard = clipboardStore.get().clipboard;
  if (!clipboard) return;
  try {
    if (clipboard.mode === 'copy') {
      const copies = await copyEntries(clipboard.paths, dir);
      await show(dir, copies[0]!);
    } else {
      const moved = await moveEntries(clipboard.paths, dir);
      clipboardStore.set({ clipboard: null });
      clipboard.paths.forEach((from, i) => {
        tree.followMove(from, moved[i]!);
        tabs.followMove(from, moved[i]!);
      });
      for (const from of new Set(clipboard.paths.map(parentOf))) void tree.loadFolder(from);
      await show(dir, moved[0]!);
    }
    notify(`Pasted ${named(clipboard.paths)} into ${where(dir)}.`);
  } catch (error) {
    notifyError(error);
  }
}

export function download(path: string): void {
  const link = document.createElement('a');
  link.href = downloadUrl(path);
  link.download = nameOf(path);
  link.click();
}
