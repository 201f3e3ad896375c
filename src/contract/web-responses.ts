import { z } from 'zod';
import { FileEntrySchema, TrashItemSchema } from './files';
import { InteractionSchema } from './interactions';

/**
 * The answers of routes that wrap a contract shape in a small envelope (`{ entries }`, `{ paths }`, …), so the
 * dashboard can check what it reads. The server builds these inline in its routes.
 */

/** GET /api/files?path= */
export const FolderListingSchema = z.object({ path: z.string(), entries: z.array(FileEntrySchema) });
/** POST /api/files/mkdir and /api/files/rename: the path made or renamed to. */
export const PathAnswerSchema = z.object({ path: z.string() });
/** POST /api/files/move and /api/files/copy: the new paths, in order. */
export const PathsAnswerSchema = z.object({ paths: z.array(z.string()) });
/** POST /api/files/delete */
export const TrashedAnswerSchema = z.object({ trashed: z.array(TrashItemSchema) });
/** GET /api/files/trash */
export const TrashListSchema = z.object({ items: z.array(TrashItemSchema) });
/** POST /api/files/restore */
export const RestoredAnswerSchema = z.object({ restored: TrashItemSchema });
/** POST /api/files/trash/empty: how many entries were removed. */
export const RemovedAnswerSchema = z.object({ removed: z.number() });
/** GET /api/interactions */
export const InteractionListSchema = z.object({ interactions: z.array(InteractionSchema) });
