import type { FileChange, FileEntry } from '@contract/files';
import { ApiError, errorMessage } from '../lib/api';
import { createStore } from '../lib/store';
import { isWithin, listFolder, parentOf } from './files-api';

export interface Folder {
  entries: FileEntry[] | null;
  loading: boolean;
  error: string | null;
}

interface TreeState {
  /** Listings by folder path ('' is the workspace); fetched when a folder is first shown. */
  folders: Record<string, Folder>;
  /** Folders shown open. A folder inside a closed one keeps its flag, so it reopens as it was. */
  expanded: Record<string, true>;
  /** The row with the keyboard focus; New file, Upload and drops without a row go into its folder. */
  selected: string | null;
}

export const treeStore = createStore<TreeState>({ folders: {}, expanded: {}, selected: null });

export interface Row {
  entry: FileEntry;
  level: number;
  setSize: number;
  posInSet: number;
}

/** The rows on screen, depth first, as the tree shows them. */
export function visibleRows(state: TreeState): Row[] {
  const rows: Row[] = [];
  const walk = (dir: string, level: number) => {
    const entries = state.folders[dir]?.entries ?? [];
    entries.forEach((entry, index) => {
      rows.push({ entry, level, setSize: entries.length, posInSet: index + 1 });
      if (entry.type === 'dir' && state.expanded[entry.path]) walk(entry.path, level + 1);
    });
  };
  walk('', 1);
  return rows;
}

/** The workspace and every open folder whose parents are open too. */
function isShown(state: TreeState, dir: string): boolean {
  if (dir === '') return true;
  return Boolean(state.expanded[dir]) && isShown(state, parentOf(dir));
}

function patchFolder(dir: string, patch: Partial<Folder>): void {
  treeStore.set((s) => ({
    folders: { ...s.folders, [dir]: { entries: null, loading: false, error: null, ...s.folders[dir], ...patch } },
  }));
}

const without = <T>(record: Record<string, T>, root: string) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !isWithin(key, root)));

/** Drops a folder that is gone, and everything known below it. */
function forget(dir: string): void {
  treeStore.set((s) => ({ folders: without(s.folders, dir), expanded: without(s.expanded, dir) }));
}

/** The newest request per folder: an older answer arriving late must not replace a newer listing. */
const latest = new Map<string, number>();
let requestCount = 0;

export async function loadFolder(dir: string): Promise<void> {
  const id = ++requestCount;
  latest.set(dir, id);
  patchFolder(dir, { loading: true });
  try {
    const entries = await listFolder(dir);
    if (latest.get(dir) === id) patchFolder(dir, { entries, loading: false, error: null });
  } catch (error) {
    if (latest.get(dir) !== id) return;
    if (dir !== '' && error instanceof ApiError && error.status === 404) forget(dir);
    else patchFolder(dir, { loading: false, error: errorMessage(error) });
  }
}

/** Opens a folder; its listing is fetched every time, so it is current and the server watches it again. */
export function expand(dir: string): Promise<void> {
  if (dir === '') return loadFolder('');
  treeStore.set((s) => ({ expanded: { ...s.expanded, [dir]: true } }));
  return loadFolder(dir);
}

export function collapse(dir: string): void {
  treeStore.set((s) => {
    const { [dir]: _closed, ...expanded } = s.expanded;
    return { expanded };
  });
}

export function select(path: string | null): void {
  treeStore.set({ selected: path });
}

/** Opens every folder above `path` (fetching what is not listed yet) and selects it. */
export async function reveal(path: string): Promise<void> {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const { expanded, folders } = treeStore.get();
    if (!expanded[dir] || !folders[dir]?.entries) await expand(dir);
  }
  select(path);
}

/** Lists again every folder on screen. */
export function refreshShown(): void {
  const state = treeStore.get();
  for (const dir of ['', ...Object.keys(state.expanded)]) if (isShown(state, dir)) void loadFolder(dir);
}

/** Follows changes on disk: the folders on screen that gained or lost something are listed again. */
export function applyChanges(changes: FileChange[], truncated: boolean): void {
  if (truncated) return refreshShown();
  const dirs = new Set<string>();
  for (const change of changes) {
    if (change.kind === 'unlinkDir') forget(change.path);
    dirs.add(parentOf(change.path));
  }
  const state = treeStore.get();
  for (const dir of dirs) if (isShown(state, dir)) void loadFolder(dir);
}

/** After a rename or move, open folders and the selection follow the item to its new place. */
export function followMove(from: string, to: string): void {
  const moved = (path: string) => (isWithin(path, from) ? to + path.slice(from.length) : path);
  treeStore.set((s) => ({
    folders: without(s.folders, from),
    expanded: Object.fromEntries(Object.keys(s.expanded).map((dir) => [moved(dir), true] as const)),
    selected: s.selected === null ? null : moved(s.selected),
  }));
  const state = treeStore.get();
  for (const dir of Object.keys(state.expanded)) if (isWithin(dir, to) && isShown(state, dir)) void loadFolder(dir);
}

/** The folder new files go into when no row was aimed at: the selected folder, the selected file's folder, or the workspace. */
export function targetFolder(): string {
  const { selected, folders } = treeStore.get();
  if (selected === null) return '';
  const entry = folders[parentOf(selected)]?.entries?.find((e) => e.path === selected);
  return entry?.type === 'dir' ? selected : parentOf(selected);
}
