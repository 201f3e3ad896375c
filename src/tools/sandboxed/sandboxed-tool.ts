import { posix } from 'node:path';
import type { z } from 'zod';
import type { ApprovalPreview } from '../../contract/interactions';
import { describeLimit } from '../../sandbox/limits';
import type { SandboxResult } from '../../sandbox/protocol';
import type { Sandbox } from '../../sandbox/service';
import type { PermissionLevel } from '../../permissions/policy';
import { type PreviewContext, type Tool, type ToolResult, defineTool, errorResult } from '../tool';

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
  /** Tools that change files show the change on their approval card, computed in the sandbox too. */
  previewable?: boolean;
  /** How a jsexec-style result (a value plus console output) becomes text; tools return a ToolResult themselves. */
  present?(result: SandboxResult): ToolResult;
}

function isToolResult(value: unknown): value is ToolResult {
  return typeof value === 'object' && value !== null && 'content' in value;
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
  if (hit === 'timeout' || hit === 'memory' || hit === 'stack' || hit === 'fuel') {
    const value = {
      timeout: policy.timeoutMs,
      memory: policy.maxMemoryBytes,
      stack: policy.maxStackBytes,
      fuel: policy.fuel,
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
  if (isToolResult(result.output))
    return { ...result.output, metadata: { ...result.output.metadata, ...denial, ...stats } };
  const error = (result.output as { error?: string } | null)?.error ?? 'no result';
  return errorResult(`${name} failed inside the sandbox: ${error}`, { ...denial, ...stats });
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
        const output = result.output as ApprovalPreview | { kind: 'error' } | null;
        return output?.kind === 'diff' ? output : undefined;
      }
    : undefined;
  return defineTool({
    name: definition.name,
    description: definition.description,
    permissionLevel: definition.permissionLevel,
    source: 'sandboxed',
    input: definition.input,
    ...(definition.subject ? { subject: definition.subject } : {}),
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
