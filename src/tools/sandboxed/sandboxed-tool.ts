import { posix } from 'node:path';
import { z } from 'zod';
import { ToolResultSchema } from '../../contract/events';
import { type ApprovalPreview, PreviewSchema } from '../../contract/interactions';
import { describeLimit } from '../../sandbox/limits';
import type { SandboxResult } from '../../sandbox/protocol';
import type { Sandbox } from '../../sandbox/service';
import type { PermissionLevel } from '../../permissions/policy';
import { type PreviewContext, type Tool, type ToolResult, defineTool, errorResult } from '../tool';
import { SCAN_BUDGET_MS } from '../../sandbox/file-scan';

/** A workspace-relative form of a guest path, as permission rules are written (`src/*`, not `/src/*`). */
export function ruleSubject(path: string | undefined): string {
  return posix.normalize(posix.resolve('/', path ?? '/')).replace(/^\/+/, '');
}

interface SandboxedToolDefinition<S extends z.ZodType> {
  name: string;
  description: string;
  permissionLevel: PermissionLevel;
  input: S;
  subject?(input: z.output<S>): string | undefined;
  /** Input fields that name a guest path (see Tool.pathInputs). */
  pathInputs?: readonly string[];
  /** Offered by name only until tool_search reveals it (see Tool.defer). */
  defer?: boolean;
  /** Tools that change files show the change on their approval card, computed in the sandbox too. */
  previewable?: boolean;
  /** How a jsexec-style result (a value plus console output) becomes text; tools return a ToolResult themselves. */
  present?(result: SandboxResult): ToolResult;
}

/** How a guest reports that it failed (the engine's `{ error, stack? }`, a tool's own refusal). */
const SandboxFailureSchema = z.object({ error: z.string() });

/** The error a sandboxed call's output reports, if it is a failure's shape. */
export function sandboxError(output: unknown): string | undefined {
  const failure = SandboxFailureSchema.safeParse(output);
  return failure.success ? failure.data.error : undefined;
}

/** Turns what came back from the sandbox into the tool's result, naming any limit that tripped and its value. */
export function toToolResult(
  name: string,
  result: SandboxResult,
  policy: Parameters<typeof describeLimit>[1],
  present?: (r: SandboxResult) => ToolResult,
): ToolResult {
  const stats = { durationMs: result.durationMs, fuelUsed: result.fuelUsed };
  if (result.exitCode === 130) return errorResult(`${name} was cancelled.`, { cancelled: true, ...stats });
  const hit = result.limitHit;
  if (hit === 'timeout' || hit === 'memory' || hit === 'stack' || hit === 'fuel' || hit === 'regex') {
    const value = {
      timeout: policy.timeoutMs,
      memory: policy.maxMemoryBytes,
      stack: policy.maxStackBytes,
      fuel: policy.fuel,
      regex: SCAN_BUDGET_MS,
    }[hit];
    const console = result.stderr ? `\n\nConsole output before it stopped:\n${result.stderr}` : '';
    return errorResult(`${name} stopped: ${describeLimit(hit, policy)}.${console}`, {
      limitHit: hit,
      limit: value,
      ...stats,
    });
  }
  const denial = hit ? { limitHit: hit, limitDetail: result.limitDetail } : {};
  if (present) {
    const shown = present(result);
    return { ...shown, metadata: { ...shown.metadata, ...denial, ...stats } };
  }
  const toolResult = ToolResultSchema.safeParse(result.output);
  if (toolResult.success) return { ...toolResult.data, metadata: { ...toolResult.data.metadata, ...denial, ...stats } };
  return errorResult(`${name} failed inside the sandbox: ${sandboxError(result.output) ?? 'no result'}`, {
    ...denial,
    ...stats,
  });
}

/** A tool whose work runs in the WebAssembly sandbox: one definition, one path through policy and pool. */
export function sandboxedTool<S extends z.ZodType>(sandbox: Sandbox, definition: SandboxedToolDefinition<S>): Tool {
  const preview = definition.previewable
    ? async (input: z.output<S>, { signal, scope }: PreviewContext): Promise<ApprovalPreview | undefined> => {
        const { result } = await sandbox.run(
          definition.name,
          { kind: 'preview', name: definition.name, input },
          { signal, scope },
        );
        // Anything but a diff (the guest's `{ kind: 'error' }`, nothing) means no preview.
        const diff = PreviewSchema.safeParse(result.output);
        return diff.success ? diff.data : undefined;
      }
    : undefined;
  return defineTool({
    name: definition.name,
    description: definition.description,
    permissionLevel: definition.permissionLevel,
    source: 'sandboxed',
    input: definition.input,
    ...(definition.subject ? { subject: definition.subject } : {}),
    ...(definition.pathInputs ? { pathInputs: definition.pathInputs } : {}),
    ...(definition.defer ? { defer: true } : {}),
    ...(preview ? { preview } : {}),
    async execute(input, ctx) {
      const job = definition.present
        ? { kind: 'jsexec' as const, code: (input as { code: string }).code }
        : { kind: 'tool' as const, name: definition.name, input };
      const { result, policy } = await sandbox.run(definition.name, job, { signal: ctx.signal, scope: ctx.scope });
      return toToolResult(definition.name, result, policy, definition.present);
    },
  });
}
