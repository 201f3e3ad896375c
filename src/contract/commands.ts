import { z } from 'zod';

/** What a user can run by typing `/NAME args` at the start of a message: a skill, or an MCP server's prompt. */
export const UserCommandSchema = z.object({
  /** Without the slash: `code-review`, `mcp__everything__simple-prompt`. */
  name: z.string(),
  kind: z.enum(['skill', 'mcp-prompt']),
  description: z.string(),
  arguments: z.array(
    z.object({ name: z.string(), description: z.string().optional(), required: z.boolean().optional() }),
  ),
});
export type UserCommand = z.output<typeof UserCommandSchema>;

/** `GET /api/commands`. */
export const UserCommandListSchema = z.object({ commands: z.array(UserCommandSchema) });

/** `GET /api/mcp/resources`: the resources of every ready server, to attach one to a message. */
export const McpAttachableSchema = z.object({
  resources: z.array(
    z.object({
      server: z.string(),
      uri: z.string(),
      name: z.string(),
      description: z.string().optional(),
      mimeType: z.string().optional(),
    }),
  ),
});
