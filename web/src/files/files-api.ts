import { FileContentSchema, type SavedFile, SavedFileSchema } from '@contract/files';
import {
  FolderListingSchema,
  PathAnswerSchema,
  PathsAnswerSchema,
  RemovedAnswerSchema,
  RestoredAnswerSchema,
  TrashListSchema,
  TrashedAnswerSchema,
} from '@contract/web-responses';
import { z } from 'zod';
import { ApiError, api, errorFromAnswer, parseJson, readAnswer } from '../lib/api';

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

export const listFolder = (dir: string) => api(`/api/files?path=${q(dir)}`, FolderListingSchema).then((r) => r.entries);
export const readFile = (path: string) => api(`/api/files/content?path=${q(path)}`, FileContentSchema);
export const makeFolder = (path: string) =>
  api('/api/files/mkdir', PathAnswerSchema, { method: 'POST', body: { path } });
export const renameEntry = (path: string, name: string) =>
  api('/api/files/rename', PathAnswerSchema, { method: 'POST', body: { path, name } }).then((r) => r.path);
export const moveEntries = (paths: string[], to: string) =>
  api('/api/files/move', PathsAnswerSchema, { method: 'POST', body: { paths, to } }).then((r) => r.paths);
export const copyEntries = (paths: string[], to: string) =>
  api('/api/files/copy', PathsAnswerSchema, { method: 'POST', body: { paths, to } }).then((r) => r.paths);
export const trashEntries = (paths: string[]) =>
  api('/api/files/delete', TrashedAnswerSchema, { method: 'POST', body: { paths } }).then((r) => r.trashed);
export const listTrash = () => api('/api/files/trash', TrashListSchema).then((r) => r.items);
export const restoreFromTrash = (id: string) =>
  api('/api/files/restore', RestoredAnswerSchema, { method: 'POST', body: { id } }).then((r) => r.restored);
export const emptyTrash = () =>
  api('/api/files/trash/empty', RemovedAnswerSchema, { method: 'POST' }).then((r) => r.removed);

/** A refused save names the version on disk now, so the editor can offer to compare. */
const ConflictBodySchema = z.object({
  error: z.object({
    code: z.literal('version_conflict'),
    message: z.string(),
    version: z.string().nullable().default(null),
  }),
});

/**
 * Saves text over the version the editor loaded (`If-Match`), or creates a file that must not exist yet
 * (`expected: null`, `If-None-Match: *`). `api()` cannot send those headers, hence this wrapper.
 */
export async function saveFile(path: string, content: string, expected: string | null): Promise<SavedFile> {
  const url = `/api/files/content?path=${q(path)}`;
  let response: Response;
  try {
    response = await fetch(url, {
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
  const data = parseJson(await response.text());
  if (response.ok) return readAnswer(SavedFileSchema, data, `PUT ${url}`, response.status);
  const conflict = ConflictBodySchema.safeParse(data);
  if (conflict.success) throw new VersionConflict(conflict.data.error.message, conflict.data.error.version);
  throw errorFromAnswer(response.status, data, `Saving failed (${response.status})`);
}
