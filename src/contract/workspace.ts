import { z } from 'zod';

/**
 * `GET /api/health`: this server process, and its workspace: the folder's name and its absolute path on the server's
 * machine (for the dashboard to say which folder the agent works in; like every route, behind the admin sign-in).
 */
export const HealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  bootId: z.string(),
  workspace: z.string(),
  workspaceDir: z.string(),
  uptimeMs: z.number(),
});
export type Health = z.output<typeof HealthSchema>;

/**
 * `GET /api/memory`: what the server holds now. Each count returns to its idle value once the work that raised it
 * ends (a server left alone after work holds no worker, no live session and no stream).
 */
export const MemoryStatusSchema = z.object({
  /** The server process's resident size and its main heap in use (the workers are threads of the process). */
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
  /** Sandbox workers started, and what they said they hold together (their V8 heaps and QuickJS's memory). */
  workers: z.number(),
  workerMemoryBytes: z.number(),
  /** Workers started since the server started (one replaced past its share of the budget adds one). */
  workersStarted: z.number(),
  /** The pool's budget (`sandbox.maxPoolMemoryMb`) in bytes. */
  workerBudgetBytes: z.number(),
  /** Runs under way, sessions held in memory (watched or running), and what listens to their events. */
  runs: z.number(),
  liveSessions: z.number(),
  listeners: z.number(),
  /** Event streams open to clients (the dashboard's pages, `boxagnts` commands following a run). */
  streams: z.number(),
  /** Folders the file watcher follows (the dashboard's open folders; at most 500, the least recent dropped). */
  watchedFolders: z.number(),
});
export type MemoryStatus = z.output<typeof MemoryStatusSchema>;

/**
 * `GET /api/agents-md`: the workspace's notes for the agent, added to every system prompt, as the file holds them
 * (even one written by hand past the editor's limit).
 */
export const AgentsMdSchema = z.strictObject({ content: z.string() });
/** `PUT /api/agents-md`: a save from the editor, at most 256 KB, since all of it goes into every system prompt. */
export const AgentsMdUpdateSchema = z.strictObject({ content: z.string().max(256 * 1024) });
export type AgentsMd = z.output<typeof AgentsMdSchema>;
