import { z } from 'zod';
import { PermissionLevelSchema } from './permissions';

/** An MCP server's name: the middle of its tools' names (`mcp__NAME__tool`), so short and plain. */
export const MCP_SERVER_NAME = /^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9_-]{0,31}$/;
export const McpServerNameSchema = z
  .string()
  .regex(MCP_SERVER_NAME, 'use lower-case letters, digits, - and _ (at most 32), starting with a letter or digit');

/** A value kept in secrets.json, referred to by name: settings never hold the secret itself. */
export const SecretRefSchema = z.strictObject({
  secret: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a secret name: letters, digits, _ . -'),
});
export type SecretRef = z.output<typeof SecretRefSchema>;

/** An environment variable or header: written as is, or taken from secrets.json. */
const ConfigValue = z.union([z.string().max(10_000), SecretRefSchema]);

export const MCP_TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export const McpTransportSchema = z.enum(MCP_TRANSPORTS);
export type McpTransport = z.output<typeof McpTransportSchema>;

export const McpToolOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** The permission level its calls are judged at (default: the server's). */
  level: PermissionLevelSchema.optional(),
});

/** One server of `mcp.servers`: a command to start (stdio) or a URL to reach (Streamable HTTP, or the older SSE). */
export const McpServerFieldsSchema = z.strictObject({
  command: z.string().trim().min(1).max(1000).optional(),
  args: z.array(z.string().max(10_000)).max(200).default([]),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), ConfigValue).default({}),
  /** Where the command starts, relative to the workspace (default: the workspace). */
  cwd: z.string().max(4096).optional(),
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://')
    .optional(),
  /** Inferred when absent: stdio for a command; Streamable HTTP for a URL, falling back to SSE. */
  transport: McpTransportSchema.optional(),
  headers: z.record(z.string().min(1).max(200), ConfigValue).default({}),
  /** A bearer token for a remote server, from secrets.json. */
  bearer: SecretRefSchema.optional(),
  enabled: z.boolean().default(true),
  /** The user trusts the server to only read: its tools are judged at `read` unless a tool says otherwise. */
  readOnly: z.boolean().default(false),
  /** The level of its tools' calls (default `execute`; `read` when readOnly). */
  level: PermissionLevelSchema.optional(),
  tools: z.record(z.string().min(1).max(200), McpToolOverrideSchema).default({}),
  /** How long one request may take. */
  timeoutMs: z.number().int().min(1000).max(3_600_000).default(60_000),
});

export const McpServerConfigSchema = McpServerFieldsSchema.superRefine((server, ctx) => {
  if ((server.command === undefined) === (server.url === undefined))
    ctx.addIssue({ code: 'custom', message: 'give either a command (a local server) or a url (a remote one)' });
  if (server.command !== undefined && server.transport !== undefined && server.transport !== 'stdio')
    ctx.addIssue({ code: 'custom', path: ['transport'], message: 'a command is reached over stdio' });
  if (server.url !== undefined && server.transport === 'stdio')
    ctx.addIssue({ code: 'custom', path: ['transport'], message: 'a url is reached over http or sse' });
});
export type McpServerConfig = z.output<typeof McpServerConfigSchema>;
export type McpServerInput = z.input<typeof McpServerConfigSchema>;

export const McpSettingsSchema = z
  .strictObject({ servers: z.record(McpServerNameSchema, McpServerConfigSchema).default({}) })
  .prefault({});

export const MCP_STATES = ['disabled', 'connecting', 'ready', 'failed'] as const;
export const McpStateSchema = z.enum(MCP_STATES);

/** One tool of a server, as the MCP page shows it. */
export const McpToolInfoSchema = z.object({
  /** The server's own name for it. */
  name: z.string(),
  /** Ours: `mcp__SERVER__TOOL`. */
  toolName: z.string(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  level: PermissionLevelSchema,
  enabled: z.boolean(),
  /** What the server says of it; shown, never trusted to lower the level. */
  annotations: z.object({ readOnlyHint: z.boolean().optional(), destructiveHint: z.boolean().optional() }).optional(),
  /** About how many tokens its definition costs in every request that offers it. */
  tokens: z.number(),
});
export type McpToolInfo = z.output<typeof McpToolInfoSchema>;

/** A server as the MCP page shows it. */
export const McpServerStatusSchema = z.object({
  name: z.string(),
  state: McpStateSchema,
  /** Why it failed, or what it is waiting for. */
  reason: z.string().optional(),
  /** A remote server that asks for OAuth: the link the user opens to authorize it. */
  authorizeUrl: z.string().optional(),
  transport: McpTransportSchema,
  protocolVersion: z.string().optional(),
  serverInfo: z.object({ name: z.string(), version: z.string() }).optional(),
  tools: z.array(McpToolInfoSchema),
  resources: z.number(),
  prompts: z.number(),
  /** Connection attempts that failed in a row; the next one waits longer. */
  attempts: z.number(),
  /** When the next attempt is due (ISO time), while failed. */
  retryAt: z.string().optional(),
});
export type McpServerStatus = z.output<typeof McpServerStatusSchema>;

/** `GET /api/mcp`. */
export const McpOverviewSchema = z.object({
  servers: z.array(McpServerStatusSchema),
  /** Tokens that the definitions of every enabled MCP tool would take in a request, and whether they are offered by name only. */
  toolTokens: z.number(),
  deferred: z.boolean(),
});
export type McpOverview = z.output<typeof McpOverviewSchema>;

/** `PUT /api/mcp/servers/:name/tools/:tool`: switch one tool of a server on or off, or change its level. */
export const McpToolOverrideBodySchema = McpToolOverrideSchema;

/** `PUT /api/mcp/secrets/:name`: a named secret's value (it is never sent back). */
export const McpSecretBodySchema = z.strictObject({ value: z.string().min(1).max(100_000) });

/** `GET /api/mcp/secrets`: the named secrets' names (never their values). */
export const McpSecretListSchema = z.object({ names: z.array(z.string()) });
export type McpSecretList = z.output<typeof McpSecretListSchema>;

/** `GET /api/mcp/import`: servers found in other tools' files, to review before adding. */
export const McpImportPreviewSchema = z.object({
  sources: z.array(
    z.object({
      source: z.string(),
      servers: z.array(
        z.object({
          name: z.string(),
          config: z.record(z.string(), z.unknown()),
          /** The names of the values that would be moved to secrets.json (never the values). */
          secrets: z.array(z.string()),
          /** A server of that name is configured already. */
          exists: z.boolean(),
        }),
      ),
      problems: z.array(z.string()),
    }),
  ),
});
export type McpImportPreview = z.output<typeof McpImportPreviewSchema>;

/** `POST /api/mcp/import`: add these servers from that file. */
export const McpImportBodySchema = z.strictObject({
  source: z.string().min(1).max(200),
  names: z.array(McpServerNameSchema).min(1).max(100),
});

/** The answer to `POST /api/mcp/import`: the servers added. */
export const McpImportResultSchema = z.object({ imported: z.array(z.string()) });
export type McpImportResult = z.output<typeof McpImportResultSchema>;

/** `GET /api/mcp/servers/:name/resources`. */
export const McpResourcesSchema = z.object({
  resources: z.array(
    z.object({
      uri: z.string(),
      name: z.string(),
      description: z.string().optional(),
      mimeType: z.string().optional(),
    }),
  ),
});

/** `GET /api/mcp/servers/:name/prompts`. */
export const McpPromptsSchema = z.object({
  prompts: z.array(
    z.object({
      name: z.string(),
      /** The chat command that runs it: `/mcp__SERVER__PROMPT`. */
      command: z.string(),
      description: z.string().optional(),
      arguments: z.array(
        z.object({ name: z.string(), description: z.string().optional(), required: z.boolean().optional() }),
      ),
    }),
  ),
});

/** `GET /api/mcp/servers/:name/resources/read?uri=`: a resource's text, to attach to a message. */
export const McpResourceReadSchema = z.object({
  contents: z.array(
    z.object({
      uri: z.string(),
      text: z.string().optional(),
      mimeType: z.string().optional(),
      bytes: z.number().optional(),
    }),
  ),
});
