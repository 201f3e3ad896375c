import { z } from 'zod';
import { describeFirstIssue } from '../workspace/json-file';

export type PermissionLevel = 'read' | 'write' | 'execute' | 'network';
export const PERMISSION_LEVELS: readonly PermissionLevel[] = ['read', 'write', 'execute', 'network'];

export type JSONSchema = Record<string, unknown>;

export type ContentBlock = { type: 'text'; text: string } | { type: 'image'; data: string; mediaType: string };

export interface ToolResult {
  content: string | ContentBlock[];
  isError?: boolean;
  metadata?: Record<string, unknown>;
}

/** Everything a tool may reach of the runtime. Tools never read global state. */
export interface ToolContext {
  readonly sessionId: string;
  readonly runId: string;
  readonly callId: string;
  /** Aborted when the run is cancelled; a tool must stop promptly and may return what it has. */
  readonly signal: AbortSignal;
  /** Reports progress to the user while the tool runs (shown on its card, not sent to the model). */
  progress(update: Record<string, unknown>): void;
}

export type Validation = { ok: true; value: unknown } | { ok: false; message: string };

export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly permissionLevel: PermissionLevel;
  /** JSON Schema of the input, as the model sees it. */
  readonly inputSchema: JSONSchema;
  /** Where the tool comes from, for the Tools page. */
  readonly source: 'native' | 'sandboxed' | 'mcp' | 'extension' | 'agent';
  /** Checks input before execute; when absent the registry validates against `inputSchema`. */
  validate?(input: unknown): Validation;
  execute(input: unknown, ctx: ToolContext): Promise<ToolResult>;
}

export function validationFrom(schema: z.ZodType, input: unknown): Validation {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const { field, problem } = describeFirstIssue(result.error);
  return { ok: false, message: field ? `${field}: ${problem}` : problem };
}

interface ToolDefinition<S extends z.ZodType> {
  name: string;
  description: string;
  permissionLevel: PermissionLevel;
  source?: Tool['source'];
  input: S;
  execute(input: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** A tool whose input is a zod schema: the model sees its JSON Schema, execute gets parsed, typed input. */
export function defineTool<S extends z.ZodType>(definition: ToolDefinition<S>): Tool {
  const inputSchema = z.toJSONSchema(definition.input, { target: 'draft-7' }) as JSONSchema;
  delete inputSchema.$schema;
  return {
    name: definition.name,
    description: definition.description,
    permissionLevel: definition.permissionLevel,
    source: definition.source ?? 'native',
    inputSchema,
    validate: (input) => validationFrom(definition.input, input),
    execute: (input, ctx) => definition.execute(input as z.output<S>, ctx),
  };
}

export function errorResult(message: string, metadata?: Record<string, unknown>): ToolResult {
  return { content: message, isError: true, ...(metadata ? { metadata } : {}) };
}

/** The text of a result, for logs, previews and the Markdown export. */
export function resultText(result: ToolResult): string {
  if (typeof result.content === 'string') return result.content;
  return result.content.map((block) => (block.type === 'text' ? block.text : `[image ${block.mediaType}]`)).join('\n');
}
