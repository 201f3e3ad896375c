import type { FileContent, FileEntry, SavedFile, TrashItem } from '@contract/files';
import { ApiError, api } from '../lib/api';

/** Paths are workspace-relative with `/` separators; '' is the workspace itself. */

/** A save refused because the file on disk is not the version the editor started from; `version` is the one there now (null: gone). */
export class VersionConflict extends ApiError {
  constructor(
    message: string,
    readonly version: string | null,
  ) {
    super(409, 'version_conflict', message);
  }
}

const q = encodeURIComponent;

export const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
export const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
export const joinPath = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
/** `path` itself or anything inside it. */
export const isWithin = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

export const downloadUrl = (path: string, inline = false) =>
  `/api/files/download?path=${q(path)}${inline ? '&inline=1' : ''}`;

export const listFolder = (dir: string) =>
  api<{ path: string; entries: FileEntry[] }>(`/api/files?path=${q(dir)}`).then((r) => r.entries);
export const readFile = (path: string) => api<FileContent>(`/api/files/content?path=${q(path)}`);
export const makeFolder = (path: string) =>
  api<{ path: string }>('/api/files/mkdir', { method: 'POST', body: { path } });
export const renameEntry = (path: string, name: string) =>
  api<{ path: string }>('/api/files/rename', { method: 'POST', body: { path, name } }).then((r) => r.path);
export const moveEntries = (paths: string[], to: string) =>
  api<{ paths: string[] }>('/api/files/move', { method: 'POST', body: { paths, to } }).then((r) => r.paths);
export const copyEntries = (paths: string[], to: string) =>
  api<{ paths: string[] }>('/api/files/copy', { method: 'POST', body: { paths, to } }).then((r) => r.paths);
export const trashEntries = (paths: string[]) =>
  api<{ trashed: TrashItem[] }>('/api/files/delete', { method: 'POST', body: { paths } }).then((r) => r.trashed);
export const listTrash = () => api<{ items: TrashItem[] }>('/api/files/trash').then((r) => r.items);
export const restoreFromTrash = (id: string) =>
  api<{ restored: TrashItem }>('/api/files/restore', { method: 'POST', body: { id } }).then((r) => r.restored);
export const emptyTrash = () =>
  api<{ removed: number }>('/api/files/trash/empty', { method: 'POST' }).then((r) => r.removed);

interface ErrorBody {
  error?: { code?: string; message?: string; version?: string | null };
}

/**
 * Saves text over the version the editor loaded (`If-Match`), or creates a file that must not exist yet
 * (`expected: null`, `If-None-Match: *`). `api()` cannot send those headers, hence this wrapper.
 */
export async function saveFile(path: string, content: string, expected: string | null): Promise<SavedFile> {
  let response: Response;
  try {
    response = await fetch(`/api/files/content?path=${q(path)}`, {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/json',
        ...(expected === null ? { 'If-None-Match': '*' } : { 'If-Match': `"${expected}"` }),
      },
      body: JSON.stringify({ content }),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the boxagnts server. Is it still running?');
  }
  const text = await response.text();
  const data = (text ? JSON.parse(text) : {}) as SavedFile & ErrorBody;
  if (response.ok) return data;
  const message = data.error?.message ?? `Saving failed (${response.status})`;
  if (data.error?.code === 'version_conflict') throw new VersionConflict(message, data.error.version ?? null);
  throw new ApiError(response.status, data.error?.code ?? 'http_error', message);
}
