import { z } from 'zod';
import { PermissionLevelSchema } from './permissions';

/** The tools of a workspace as the Tools page and `/api/tools` show them. */

export const ToolSourceKindSchema = z.enum(['native', 'sandboxed', 'mcp', 'extension', 'agent', 'skill']);

/** Where a WebAssembly tool's folder is: the workspace's `.boxagnts/tools/` or the product's own. */
export const ExtensionOriginSchema = z.enum(['workspace', 'built-in']);
export type ExtensionOrigin = z.output<typeof ExtensionOriginSchema>;

/** Where a WebAssembly tool was loaded from; preparing its module (checking, instrumenting for fuel) runs in the background. */
export const ExtensionStateSchema = z.object({
  folder: z.string(),
  origin: ExtensionOriginSchema,
  state: z.enum(['preparing', 'ready']),
});
export type ExtensionState = z.output<typeof ExtensionStateSchema>;

export const ToolDescriptionSchema = z.object({
  name: z.string(),
  description: z.string(),
  permissionLevel: PermissionLevelSchema,
  source: ToolSourceKindSchema,
  /** JSON Schema of the input, as the model sees it. */
  inputSchema: z.record(z.string(), z.unknown()),
  /** A switched-off tool is never offered to the model. */
  enabled: z.boolean(),
  /** Offered to the model by name only, behind tool_search, unless the workspace lists it in `tools.offered`. */
  onRequest: z.boolean(),
  /** About how many tokens its definition costs in every request that offers it in full. */
  tokens: z.number(),
  extension: ExtensionStateSchema.optional(),
});
export type ToolDescription = z.output<typeof ToolDescriptionSchema>;

/** A tool folder that did not become a tool, and why. */
export const ExtensionProblemSchema = z.object({
  folder: z.string(),
  origin: ExtensionOriginSchema,
  message: z.string(),
});
export type ExtensionProblem = z.output<typeof ExtensionProblemSchema>;

/** `GET /api/tools`: every tool, switched off or not, by name; and the tool folders that failed to load. */
export const ToolListSchema = z.object({
  tools: z.array(ToolDescriptionSchema),
  problems: z.array(ExtensionProblemSchema),
  /** What the definitions of the tools a plain chat offers in full cost per request, in tokens (about). */
  offeredTokens: z.number(),
});
export type ToolList = z.output<typeof ToolListSchema>;

/** `PUT /api/tools/:name`. */
export const ToolToggleBodySchema = z.strictObject({ enabled: z.boolean() });
