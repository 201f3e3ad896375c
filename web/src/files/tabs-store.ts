import type { FileChange, FileContent } from '@contract/files';
import { ApiError, errorMessage } from '../lib/api';
import { createStore } from '../lib/store';
import { VersionConflict, isWithin, nameOf, readFile, saveFile } from './files-api';
import { notifyError } from './notice';

/** Something on disk the user has to decide about before their edits and the file agree again. */
export type DiskAlert =
  /** Changed on disk while there are unsaved edits; `version` is the one there now. */
  | { kind: 'changed'; version: string }
  | { kind: 'deleted' }
  /** A save was refused: the file is not the version the edits started from (null: it is gone). */
  | { kind: 'conflict'; version: string | null };

export interface Tab {
  /** Stays the same when the file is renamed or moved. */
  id: number;
  path: string;
  /** Until the first read answers. */
  loading: boolean;
  /** Why the file could not be opened. */
  error: string | null;
  kind: FileContent['kind'] | null;
  mediaType: string;
  size: number;
  /** For a file too large to open: the most the editor takes. */
  limit: number | null;
  /** The version the edits started from: a save sends it as If-Match. Null: not on disk, a save creates the file. */
  version: string | null;
  /**
   * The text on disk at `version`. The editor follows `seq`: after a load it shows `text`; after a save it only
   * counts its own text against it to know what is unsaved.
   */
  base: { text: string; seq: number; origin: 'load' | 'save' };
  dirty: boolean;
  saving: boolean;
  alert: DiskAlert | null;
}

export const tabsStore = createStore<{ tabs: Tab[]; active: number | null }>({ tabs: [], active: null });

/**
 * How to read what the editor of a tab holds now. The editor is a lazily loaded chunk, so it registers here rather
 * than this store importing it.
 */
const readers = new Map<number, () => string>();

export function setReader(id: number, read: () => string): void {
  readers.set(id, read);
}

let nextId = 0;
const find = (id: number) => tabsStore.get().tabs.find((t) => t.id === id);

function patch(id: number, update: Partial<Tab> | ((tab: Tab) => Partial<Tab>)): void {
  tabsStore.set((s) => ({
    tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...(typeof update === 'function' ? update(t) : update) } : t)),
  }));
}

/** What a read says about the file, as tab fields; text replaces what the editor shows. */
function loaded(tab: Tab, file: FileContent): Partial<Tab> {
  return {
    loading: false,
    error: null,
    kind: file.kind,
    mediaType: file.mediaType,
    size: file.size,
    limit: file.kind === 'too_large' ? file.limit : null,
    version: file.version,
    base: { text: file.kind === 'text' ? file.content : '', seq: tab.base.seq + 1, origin: 'load' },
    dirty: false,
    alert: null,
  };
}

/** The newest read per tab: an older answer arriving late must not replace a newer one. */
const latestRead = new Map<number, number>();
let readCount = 0;

async function read(id: number): Promise<FileContent | ApiError | null> {
  const tab = find(id);
  if (!tab) return null;
  const n = ++readCount;
  latestRead.set(id, n);
  try {
    const file = await readFile(tab.path);
    return latestRead.get(id) === n ? file : null;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return latestRead.get(id) === n ? error : null;
  }
}

async function load(id: number): Promise<void> {
  const result = await read(id);
  if (result instanceof ApiError) patch(id, { loading: false, error: result.message });
  else if (result) patch(id, (tab) => loaded(tab, result));
}

/** Shows the file in a tab: the one it already has, or a new one. */
export function openFile(path: string): void {
  const open = tabsStore.get().tabs.find((t) => t.path === path);
  if (open) return activate(open.id);
  const tab: Tab = {
    id: ++nextId,
    path,
    loading: true,
    error: null,
    kind: null,
    mediaType: '',
    size: 0,
    limit: null,
    version: null,
    base: { text: '', seq: 0, origin: 'load' },
    dirty: false,
    saving: false,
    alert: null,
  };
  tabsStore.set((s) => ({ tabs: [...s.tabs, tab], active: tab.id }));
  void load(tab.id);
}

export function activate(id: number): void {
  tabsStore.set({ active: id });
}

/** Closes at once, unsaved edits or not: asking first is the caller's job. */
export function closeTab(id: number): void {
  readers.delete(id);
  latestRead.delete(id);
  tabsStore.set((s) => {
    const index = s.tabs.findIndex((t) => t.id === id);
    const tabs = s.tabs.filter((t) => t.id !== id);
    const active = s.active === id ? (tabs[Math.min(index, tabs.length - 1)]?.id ?? null) : s.active;
    return { tabs, active };
  });
}

export function setDirty(id: number, dirty: boolean): void {
  if (find(id)?.dirty !== dirty) patch(id, { dirty });
}

/** Whether saving would write anything: edits, or a file that is not (or no longer) on disk. */
export const hasUnsaved = (tab: Tab) =>
  tab.kind === 'text' && (tab.dirty || tab.version === null || tab.alert?.kind === 'deleted');

/** Tabs whose save is under way: a change seen meanwhile may be that save, so it is checked once the save answers. */
const recheckAfterSave = new Set<number>();

/**
 * Saves what the editor holds over the version it started from. `overwrite` answers a conflict: save over the
 * version found on disk instead.
 */
export async function save(id: number, options: { overwrite?: boolean } = {}): Promise<void> {
  const tab = find(id);
  const text = readers.get(id)?.();
  if (!tab || tab.saving || text === undefined || !(options.overwrite || hasUnsaved(tab))) return;
  const { alert } = tab;
  const expected =
    options.overwrite && alert?.kind === 'conflict' ? alert.version : alert?.kind === 'deleted' ? null : tab.version;
  patch(id, { saving: true });
  try {
    const saved = await saveFile(tab.path, text, expected);
    patch(id, (t) => ({
      saving: false,
      version: saved.version,
      size: saved.size,
      base: { text, seq: t.base.seq + 1, origin: 'save' },
      dirty: (readers.get(id)?.() ?? text) !== text,
      alert: null,
    }));
  } catch (error) {
    if (error instanceof VersionConflict)
      patch(id, { saving: false, alert: { kind: 'conflict', version: error.version } });
    else {
      patch(id, { saving: false });
      notifyError(new Error(`${nameOf(tab.path)} was not saved: ${errorMessage(error)}`));
    }
  }
  if (recheckAfterSave.delete(id)) void check(id);
}

/** Throws the edits away and shows the file as it is on disk now. */
export function reload(id: number): Promise<void> {
  return load(id);
}

/**
 * Keeps the edits after being told the file changed or went away: they now count as made on top of what is on disk,
 * so the next save replaces it (or creates the file again).
 */
export function keepEdits(id: number): void {
  patch(id, (tab) => {
    if (tab.alert?.kind === 'changed') return { alert: null, version: tab.alert.version };
    if (tab.alert?.kind === 'deleted') return { alert: null, version: null };
    return { alert: null };
  });
}

/**
 * Reads an open file again after a change on disk. Its own saves come back with the version the tab already has and
 * change nothing; a tab without edits takes the new text silently; a tab with edits asks.
 */
async function check(id: number): Promise<void> {
  const before = find(id);
  if (!before || before.loading) return;
  if (before.saving) {
    recheckAfterSave.add(id);
    return;
  }
  const result = await read(id);
  const tab = find(id);
  if (!result || !tab || tab.saving) return;
  if (result instanceof ApiError) {
    if (result.status === 404 && tab.alert?.kind !== 'conflict' && tab.version !== null)
      patch(id, { alert: { kind: 'deleted' } });
    return;
  }
  if (result.version === tab.version) {
    if (tab.alert?.kind === 'deleted') patch(id, { alert: null });
    return;
  }
  if (!tab.dirty || result.kind !== 'text' || tab.kind !== 'text') return patch(id, loaded(tab, result));
  if (readers.get(id)?.() === result.content) {
    return patch(id, {
      version: result.version,
      size: result.size,
      base: { text: result.content, seq: tab.base.seq + 1, origin: 'save' },
      dirty: false,
      alert: null,
    });
  }
  if (tab.alert?.kind !== 'conflict') patch(id, { alert: { kind: 'changed', version: result.version } });
}

/** Follows changes on disk to the open files (a folder removed takes the files in it along). */
export function applyChanges(changes: FileChange[], truncated: boolean): void {
  for (const tab of tabsStore.get().tabs) {
    if (truncated || changes.some((c) => c.path === tab.path || (c.kind === 'unlinkDir' && isWithin(tab.path, c.path))))
      void check(tab.id);
  }
}

/** Reads every open file again, e.g. on coming back to the page. */
export function recheckAll(): void {
  applyChanges([], true);
}

/** After a rename or move in the tree, tabs of what moved follow it to the new path. */
export function followMove(from: string, to: string): void {
  tabsStore.set((s) => ({
    tabs: s.tabs.map((t) => (isWithin(t.path, from) ? { ...t, path: to + t.path.slice(from.length) } : t)),
  }));
}

// While any tab has unsaved edits, leaving or reloading the page asks first.
const askBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
let guarding = false;
tabsStore.subscribe(() => {
  const dirty = tabsStore.get().tabs.some((t) => t.dirty);
  if (dirty === guarding) return;
  guarding = dirty;
  if (dirty) window.addEventListener('beforeunload', askBeforeUnload);
  else window.removeEventListener('beforeunload', askBeforeUnload);
});
