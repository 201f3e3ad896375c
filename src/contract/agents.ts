import { z } from 'zod';
import { PermissionModeSchema } from './permissions';
import { ChildStatusSchema, ChildUsageSchema, WorktreeReportSchema } from './events';

/** An agent type's name: the file's name in `.boxagnts/agents/`, and what `agent{agent_type}` names. */
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const AgentNameSchema = z
  .string()
  .regex(AGENT_NAME, 'use lower-case letters, digits and hyphens, starting with a letter or digit (at most 64)');

export const ISOLATIONS = ['none', 'worktree'] as const;
export const IsolationSchema = z.enum(ISOLATIONS);

/** A list written either as YAML list or as one comma-separated string (`tools: Read, Grep`), as other agents do. */
const NameList = z
  .union([z.array(z.string().min(1).max(128)).max(200), z.string().max(4000)])
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value).map((name) => name.trim()).filter((name) => name !== ''),
  );

/**
 * The front matter of an agent file. Keys other agents write and boxagnts has no use for (`color`, `hooks`) are
 * allowed and ignored, so a `.claude/agents/*.md` file works as is.
 */
export const AgentFrontMatterSchema = z.looseObject({
  name: AgentNameSchema,
  description: z.string().trim().min(1).max(1024),
  /** Only these tools (ours or other agents' names: `Read`, `Bash`); absent: every tool the parent has. */
  tools: NameList.optional(),
  disallowedTools: NameList.optional(),
  /** `provider/model`, or an alias (`sonnet`) that falls back to the parent's model when it cannot be resolved. */
  model: z.string().trim().min(1).max(300).optional(),
  permissionMode: PermissionModeSchema.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  budgetUsd: z.number().positive().max(10_000).optional(),
  isolation: IsolationSchema.optional(),
  skills: NameList.optional(),
  /** The workspace is mounted read-only for this type's runs (as for the built-in explore and plan). */
  readOnly: z.boolean().optional(),
});
export type AgentFrontMatter = z.output<typeof AgentFrontMatterSchema>;

/** Where an agent type comes from; only the workspace's own files are edited from the dashboard. */
export const AGENT_ORIGINS = ['built-in', 'workspace', 'claude', 'opencode'] as const;
export const AgentOriginSchema = z.enum(AGENT_ORIGINS);
export type AgentOrigin = z.output<typeof AgentOriginSchema>;

/** An agent type as loaded: its front matter with lists resolved, its instructions and where it came from. */
export const AgentDefinitionSchema = z.object({
  name: AgentNameSchema,
  description: z.string(),
  tools: z.array(z.string()).optional(),
  disallowedTools: z.array(z.string()),
  model: z.string().optional(),
  permissionMode: PermissionModeSchema.optional(),
  maxTurns: z.number().int().optional(),
  budgetUsd: z.number().optional(),
  isolation: IsolationSchema.optional(),
  skills: z.array(z.string()),
  /** Folders mounted read-only for this agent's runs: `explore` reads the workspace without changing it. */
  readOnly: z.boolean(),
  /** The body of the file: the agent's instructions, added to its system prompt. */
  instructions: z.string(),
  origin: AgentOriginSchema,
  /** The file, relative to the workspace (absent for built-in types). */
  path: z.string().optional(),
  /** Names in `tools`/`disallowedTools` that match no tool of this workspace, for the Agents page to show. */
  unknownTools: z.array(z.string()),
});
export type AgentDefinition = z.output<typeof AgentDefinitionSchema>;

/** A file that could not be loaded, with the reason; the other agents load regardless. */
export const InvalidAgentFileSchema = z.object({ path: z.string(), origin: AgentOriginSchema, problem: z.string() });
export type InvalidAgentFile = z.output<typeof InvalidAgentFileSchema>;

/**
 * `GET /api/agents`: every agent type (first of a name wins), the files that failed, and the names shadowed (a
 * built-in type hidden by a file has the path `built-in`).
 */
export const AgentListSchema = z.object({
  agents: z.array(AgentDefinitionSchema),
  invalid: z.array(InvalidAgentFileSchema),
  shadowed: z.array(z.object({ name: z.string(), path: z.string(), origin: AgentOriginSchema })),
});
export type AgentList = z.output<typeof AgentListSchema>;

/** `PUT /api/agents/:name`: the front matter as a form, and the instructions; written to `.boxagnts/agents/NAME.md`. */
export const AgentSaveBodySchema = z.strictObject({
  description: z.string().trim().min(1).max(1024),
  tools: z.array(z.string().min(1).max(128)).max(200).optional(),
  disallowedTools: z.array(z.string().min(1).max(128)).max(200).optional(),
  model: z.string().trim().min(1).max(300).optional(),
  permissionMode: PermissionModeSchema.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  budgetUsd: z.number().positive().max(10_000).optional(),
  isolation: IsolationSchema.optional(),
  skills: z.array(z.string().min(1).max(64)).max(100).optional(),
  readOnly: z.boolean().optional(),
  instructions: z.string().max(100_000),
});
export type AgentSaveBody = z.output<typeof AgentSaveBodySchema>;

/** A child run as the running-agents view and a child's card show it. */
export const ChildRunSchema = z.object({
  /** The child's session. */
  id: z.string(),
  parentSessionId: z.string(),
  callId: z.string(),
  agentType: z.string(),
  description: z.string(),
  background: z.boolean(),
  state: z.enum(['queued', 'running', 'done']),
  status: ChildStatusSchema.optional(),
  turns: z.number(),
  usage: ChildUsageSchema,
  worktree: WorktreeReportSchema.optional(),
  startedAt: z.string(),
});
export type ChildRun = z.output<typeof ChildRunSchema>;

/** `GET /api/agents/running`: every child run of this workspace that is queued or running. */
export const RunningAgentsSchema = z.object({ children: z.array(ChildRunSchema) });
export type RunningAgents = z.output<typeof RunningAgentsSchema>;
