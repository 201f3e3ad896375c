import { z } from 'zod';
import type { ToolResult } from '../contract/events';
import type { ApprovalPreview, Question, QuestionAnswer, Todo } from '../contract/interactions';
import type { HostCommandPreview } from '../contract/permissions';
import type { PermissionLevel, PermissionMode } from '../permissions/policy';
import type { SandboxScope } from '../sandbox/limits';
import { describeFirstIssue } from '../workspace/json-file';

export type { ContentBlock, ToolResult } from '../contract/events';

export type JSONSchema = Record<string, unknown>;

/** A way to ask the person using the dashboard; absent in headless runs, where nobody can answer. */
export interface UserChannel {
  /** Resolves with one answer per question; rejects if the run is cancelled first. */
  ask(questions: Question[]): Promise<QuestionAnswer[]>;
  approvePlan(plan: string): Promise<{ approved: boolean; feedback?: string | undefined }>;
}

/** The parts of its session a tool may change: the permission mode (plan mode) and the task list. */
export interface SessionControls {
  mode(): PermissionMode;
  /** Switches to plan mode, remembering the mode to come back to. */
  enterPlanMode(): Promise<void>;
  /** Goes back to the mode that was in force before plan mode. */
  leavePlanMode(): Promise<void>;
  todos(): Todo[];
  setTodos(todos: Todo[]): Promise<void>;
  /**
   * A skill was loaded: its `allowed-tools` (as allow rules) run without asking for the rest of the run, but only
   * where the run would otherwise ask, never past a deny rule or plan mode.
   */
  activateSkill(name: string, rules: readonly string[]): Promise<void>;
}

/** The tools of the run, for tool_search: deferred tools are offered by name only until revealed. */
export interface ToolCatalog {
  all(): readonly Tool[];
  deferred(): readonly string[];
  reveal(names: string[]): void;
}

/** What a preview, like the call itself, may reach: where the run works, and when to stop. */
export interface PreviewContext {
  /** Aborted when the run is cancelled; a tool must stop promptly and may return what it has. */
  readonly signal: AbortSignal;
  /** The run's sandbox: its working folder (the guest's `/`), mounts and narrowed limits. */
  readonly scope: SandboxScope;
}

/** Everything a tool may reach of the runtime. Tools never read global state. Built in one place: tools/invoke.ts. */
export interface ToolContext extends PreviewContext {
  readonly sessionId: string;
  readonly runId: string;
  readonly callId: string;
  /** Reports progress to the user while the tool runs (shown on its card, not sent to the model). */
  progress(update: Record<string, unknown>): void;
  readonly user?: UserChannel | undefined;
  readonly session: SessionControls;
  readonly catalog: ToolCatalog;
  /**
   * Decides again one command of a shell line as it runs (see PermissionGate.recheck): undefined when it may run,
   * otherwise why not.
   */
  recheck(command: { text: string; program: string }): Promise<string | undefined>;
}

/** Where a shell call would run its commands: for the approval card. */
export interface HostCommandContext {
  readonly sessionId: string;
  readonly scope: SandboxScope;
}

export type Validation = { ok: true; value: unknown } | { ok: false; message: string };

export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly permissionLevel: PermissionLevel;
  /** JSON Schema of the input, as the model sees it. */
  readonly inputSchema: JSONSchema;
  /** Where the tool comes from, for the Tools page. */
  readonly source: 'native' | 'sandboxed' | 'mcp' | 'extension' | 'agent' | 'skill';
  /** Checks input before execute; when absent the registry validates against `inputSchema`. */
  validate?(input: unknown): Validation;
  /** The part of a (validated) call that permission rules match: a workspace-relative path, a command, a URL. */
  subject?(input: unknown): string | undefined;
  /** `command`: the subject is a shell line, and rules match each simple command it runs rather than the line. */
  readonly subjectKind?: 'command';
  /**
   * Input fields that name a guest path: one the model sends as the workspace's absolute host path is mapped to the
   * guest path before the call is judged (tools/host-paths.ts).
   */
  readonly pathInputs?: readonly string[];
  /**
   * Rarely needed by a coding run: offered to the model by name only, behind tool_search, unless the workspace
   * (`tools.offered`) or the run's selection asks for it in full. Keeps every request small.
   */
  readonly defer?: boolean;
  /**
   * Calls of this tool may run alongside the other calls of a turn although it changes things: each `agent` call is
   * a run of its own, with its own limits.
   */
  readonly parallel?: boolean;
  /** What the call would change, shown on its approval card (a diff for file writes). */
  preview?(input: unknown, ctx: PreviewContext): Promise<ApprovalPreview | undefined>;
  /**
   * For a shell tool: the level a command's program needs when it is not the tool's own (`host` for a program of
   * this machine); null asks about a command whose program is only known when it runs.
   */
  commandLevel?(program: string | null): Promise<PermissionLevel | undefined>;
  /** For a shell tool: how its commands that run programs of this machine show on the approval card. */
  hostCommands?(
    commands: readonly { text: string; program: string }[],
    where: HostCommandContext,
  ): HostCommandPreview[];
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
  subject?(input: z.output<S>): string | undefined;
  subjectKind?: 'command';
  pathInputs?: readonly string[];
  defer?: boolean;
  parallel?: boolean;
  preview?(input: z.output<S>, ctx: PreviewContext): Promise<ApprovalPreview | undefined>;
  commandLevel?: Tool['commandLevel'];
  hostCommands?: Tool['hostCommands'];
  execute(input: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** A tool whose input is a zod schema: the model sees its JSON Schema, execute gets parsed, typed input. */
export function defineTool<S extends z.ZodType>(definition: ToolDefinition<S>): Tool {
  const inputSchema = z.toJSONSchema(definition.input, { target: 'draft-7' }) as JSONSchema;
  delete inputSchema.$schema;
  const subject = definition.subject?.bind(definition);
  const preview = definition.preview?.bind(definition);
  // The pipeline hands each method the input that `validate` returned; parsing it again (small objects, no
  // transforms in tool schemas) gives it its type here, and throws should anything else ever be passed.
  const typed = (input: unknown): z.output<S> => definition.input.parse(input);
  return {
    name: definition.name,
    description: definition.description,
    permissionLevel: definition.permissionLevel,
    source: definition.source ?? 'native',
    inputSchema,
    validate: (input) => validationFrom(definition.input, input),
    ...(subject ? { subject: (input: unknown) => subject(typed(input)) } : {}),
    ...(definition.subjectKind ? { subjectKind: definition.subjectKind } : {}),
    ...(definition.pathInputs ? { pathInputs: definition.pathInputs } : {}),
    ...(definition.defer ? { defer: true } : {}),
    ...(definition.parallel ? { parallel: true } : {}),
    ...(preview ? { preview: (input: unknown, ctx: PreviewContext) => preview(typed(input), ctx) } : {}),
    ...(definition.commandLevel ? { commandLevel: definition.commandLevel.bind(definition) } : {}),
    ...(definition.hostCommands ? { hostCommands: definition.hostCommands.bind(definition) } : {}),
    execute: (input, ctx) => definition.execute(typed(input), ctx),
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
