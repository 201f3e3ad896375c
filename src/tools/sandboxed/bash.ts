import { z } from 'zod';
import type { SandboxResult } from '../../sandbox/protocol';
import type { Sandbox } from '../../sandbox/service';
import { type Tool, type ToolResult, defineTool, errorResult } from '../tool';
import { sandboxError, toToolResult } from './sandboxed-tool';

const NO_SUCH_PROGRAM = /(?:^|\n)(?:bash: )?([\w.+-]+): command not found/;
/** just-bash's own wording points at its Node bundle, which is meaningless to the agent; say it the usual way. */
const NOT_AVAILABLE = /: command not available in browser environments\.[^\n]*/g;

/** What the shell bundle answers for one command line (guest/bash-entry.ts). */
const ShellOutputSchema = z.object({ stdout: z.string(), stderr: z.string(), exitCode: z.number(), cwd: z.string() });
type ShellOutput = z.output<typeof ShellOutputSchema>;

function present(raw: ShellOutput): ToolResult {
  const output = { ...raw, stderr: raw.stderr.replace(NOT_AVAILABLE, ': command not found') };
  const parts: string[] = [];
  if (output.stdout) parts.push(output.stdout.replace(/\n$/, ''));
  if (output.stderr) parts.push(`[stderr]\n${output.stderr.replace(/\n$/, '')}`);
  let text = parts.join('\n') || '(no output)';
  const missing = output.exitCode === 127 ? NO_SUCH_PROGRAM.exec(output.stderr)?.[1] : undefined;
  if (missing) {
    text += `\n\nThe sandbox has no program called "${missing}": it has no git, node, python, package managers or compilers — only the shell's built-in commands (ls cat head tail wc sort uniq grep sed awk cut tr find xargs mkdir rm cp mv jq diff curl …). Do not retry it; use another command or tool.`;
  }
  text += `\n(exit code ${output.exitCode})`;
  return {
    content: text,
    ...(output.exitCode !== 0 ? { isError: true } : {}),
    metadata: { exitCode: output.exitCode, cwd: output.cwd },
  };
}

/**
 * The shell: just-bash running inside the QuickJS sandbox on the real workspace. Each session keeps its working
 * directory between calls; nothing else of the shell survives a call.
 */
export function bashTool(sandbox: Sandbox): Tool {
  const cwds = new Map<string, string>();
  return defineTool({
    name: 'bash',
    description:
      'Run a shell command line in the sandbox; "/" is the workspace root. Pipes, redirects, heredocs, loops, functions and the common commands work (ls cat head tail wc sort grep sed awk cut tr find xargs mkdir rm cp mv jq diff curl …); there is no git, node, python or compiler. The working directory persists between calls; shell variables and functions do not. curl reaches only hosts the network policy allows. Output is capped; the exit code is reported.',
    permissionLevel: 'execute',
    source: 'sandboxed',
    input: z.strictObject({
      command: z.string().min(1).max(100_000).describe('The command line to run.'),
      timeout_ms: z
        .number()
        .int()
        .min(100)
        .max(3_600_000)
        .optional()
        .describe('A shorter time limit for this command (the sandbox limit still caps it).'),
    }),
    subject: ({ command }) => command,
    subjectKind: 'command',
    async execute({ command, timeout_ms }, ctx) {
      // Per session and working folder: a child run in a worktree has its own.
      const where = `${ctx.sessionId}\0${ctx.scope.workDir}`;
      const cwd = cwds.get(where) ?? '/';
      const { result, policy } = await sandbox.run(
        'bash',
        { kind: 'tool', name: 'bash', input: { command, cwd } },
        { signal: ctx.signal, scope: ctx.scope, narrowing: timeout_ms ? { timeoutMs: timeout_ms } : undefined },
      );
      return toToolResult('bash', result, policy, (r: SandboxResult) => {
        const output = ShellOutputSchema.safeParse(r.output);
        if (!output.success)
          return errorResult(`bash failed inside the sandbox: ${sandboxError(r.output) ?? 'no result'}`);
        cwds.set(where, output.data.cwd);
        return present(output.data);
      });
    },
  });
}
