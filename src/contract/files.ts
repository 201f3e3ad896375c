import { z } from 'zod';

/** The workspace's files as the Files API shows them. Paths are workspace-relative with `/` separators; '' is the workspace itself. */

export const FileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir']),
  size: z.number(),
  mtimeMs: z.number(),
});
export type FileEntry = z.output<typeof FileEntrySchema>;

const FileMeta = {
  path: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  /** Changes whenever the file does; a save must name the version it started from. */
  version: z.string(),
  mediaType: z.string(),
};

/** `GET /api/files/content`: text to edit, or why the editor cannot open it. */
export const FileContentSchema = z.discriminatedUnion('kind', [
  z.object({ ...FileMeta, kind: z.literal('text'), content: z.string() }),
  z.object({ ...FileMeta, kind: z.literal('binary') }),
  z.object({ ...FileMeta, kind: z.literal('too_large'), limit: z.number() }),
]);
export type FileContent = z.output<typeof FileContentSchema>;

/** `PUT /api/files/content`: the file as saved. */
export const SavedFileSchema = z.object({
  path: z.string(),
  version: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
});
export type SavedFile = z.output<typeof SavedFileSchema>;

export const TrashItemSchema = z.object({
  id: z.string(),
  /** Where it was, and where a restore puts it back. */
  path: z.string(),
  name: z.string(),
  type: z.enum(['file', 'dir']),
  deletedAt: z.string(),
  /** What it takes on disk (items trashed before this was recorded: unknown). */
  bytes: z.number().optional(),
});
export type TrashItem = z.output<typeof TrashItemSchema>;

/** One change seen in a watched folder, however it was made; sent in `file.changed` on the global stream. */
export const FileChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(['add', 'change', 'unlink', 'addDir', 'unlinkDir']),
});
export type FileChange = z.output<typeof FileChangeSchema>;

/** `POST /api/files/upload` (multipart): each file as written. */
export const UploadResultSchema = z.object({
  uploaded: z.array(z.object({ name: z.string(), path: z.string(), size: z.number() })),
});
export type UploadResult = z.output<typeof UploadResultSchema>;

export const PathBodySchema = z.strictObject({ path: z.string() });
export const RenameBodySchema = z.strictObject({ path: z.string(), name: z.string() });
/** Move or copy: the entries, and the folder they go into. */
export const TransferBodySchema = z.strictObject({ paths: z.array(z.string()).min(1).max(1000), to: z.string() });
export const DeleteBodySchema = z.strictObject({ paths: z.array(z.string()).min(1).max(1000) });
export const RestoreBodySchema = z.strictObject({ id: z.string() });
export const SaveBodySchema = z.strictObject({ content: z.string() });
