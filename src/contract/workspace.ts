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
 * `GET /api/agents-md`: the workspace's notes for the agent, added to every system prompt, as the file holds them
 * (even one written by hand past the editor's limit).
 */
export const AgentsMdSchema = z.strictObject({ content: z.string() });
/** `PUT /api/agents-md`: a save from the editor, at most 256 KB, since all of it goes into every system prompt. */
export const AgentsMdUpdateSchema = z.strictObject({ content: z.string().max(256 * 1024) });
export type AgentsMd = z.output<typeof AgentsMdSchema>;
