import { posix, relative } from 'node:path';
import { z } from 'zod';
import type { HostCommandPreview } from '../../contract/permissions';
import { type ShellCommand, shellBuiltins, shellCommands } from '../../permissions/shell-command';
import { wildcardToRegExp } from '../../permissions/wildcard';
import type { HostAuthority } from '../../sandbox/host/command';
import type { HostTier } from '../../sandbox/host/host-tier';
import type { SandboxResult } from '../../sandbox/protocol';
import type { Sandbox } from '../../sandbox/service';
import { type Tool, type ToolContext, type ToolResult, defineTool, errorResult } from '../tool';
import { sandboxError, toToolResult } from './sandboxed-tool';

const NO_SUCH_PROGRAM = /(?:^|\n)(?:bash: )?([\w.+-]+): command not found/;
/** just-bash's own wording points at its Node bundle, which is meaningless to the agent; say it the usual way. */
const NOT_AVAILABLE = /: command not available in browser environments\.[^\n]*/g;

/** What the shell bundle answers for one command line (guest/bash-entry.ts). */
const ShellOutputSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number(),
  cwd: z.string(),
  /** A program of the machine that a limit of the host tier stopped. */
  limitHit: z.string().optional(),
  limitDetail: z.string().optional(),
});
type ShellOutput = z.output<typeof ShellOutputSchema>;

function present(raw: ShellOutput, tier: HostTier): ToolResult {
  const output = { ...raw, stderr: raw.stderr.replace(NOT_AVAILABLE, ': command not found') };
  const parts: string[] = [];
  if (output.stdout) parts.push(output.stdout.replace(/\n$/, ''));
  if (output.stderr) parts.push(`[stderr]\n${output.stderr.replace(/\n$/, '')}`);
  let text = parts.join('\n') || '(no output)';
  const missing = output.exitCode === 127 ? NO_SUCH_PROGRAM.exec(output.stderr)?.[1] : undefined;
  if (missing) {
    const host = tier.unavailable()
      ? 'no program of this machine (git, node, python, package managers, compilers) either, as the host tier is unavailable'
      : 'nor does this machine';
    text += `\n\nThe sandbox has no program called "${missing}", ${host}. The shell's own commands are ls cat head tail wc sort uniq grep sed awk cut tr find xargs mkdir rm cp mv jq diff curl …. Do not retry it; use another command or tool.`;
  }
  if (output.limitHit)
    text += `\n[host] a program was stopped at ${output.limitDetail ?? `its ${output.limitHit} limit`}`;
  text += `\n(exit code ${output.exitCode})`;
  return {
    content: text,
    ...(output.exitCode !== 0 ? { isError: true } : {}),
    metadata: {
      exitCode: output.exitCode,
      cwd: output.cwd,
      ...(output.limitHit ? { limitHit: output.limitHit, limitDetail: output.limitDetail } : {}),
    },
  };
}

/** The description the model reads: which programs this machine has, and what they can reach. */
function describe(tier: HostTier): string {
  const shell =
    'Run a shell command line; "/" is the workspace root. Pipes, redirects, heredocs, loops, functions and the shell\'s own commands (ls cat head tail wc sort grep sed awk cut tr find xargs mkdir rm cp mv jq diff curl …) run in a WebAssembly sandbox. The working directory persists between calls; shell variables and functions do not. curl reaches only hosts the network policy allows. Output is capped; the exit code is reported.';
  const problem = tier.unavailable();
  if (problem) return `${shell} There is no git, node, python or compiler: ${problem}.`;
  const programs = tier.status().programs;
  const named = programs.length
    ? `${programs.join(', ')} and any other program on the system PATH`
    : 'programs on the system PATH';
  return `${shell} Programs of this machine — ${named} — run as commands of the same shell (also in pipelines), each in an OS sandbox after the user approves it: they see the workspace folder read-write at its real path (.git is read-only except for git), a private /tmp and HOME, no network unless the user granted it for that command, and no secrets of the user.`;
}

/**
 * The shell: just-bash running inside the QuickJS sandbox on the real workspace, with the programs of this machine
 * as its external commands (the host tier). Each session keeps its working directory between calls; nothing else
 * of the shell survives a call.
 */
export function bashTool(sandbox: Sandbox): Tool {
  const tier = sandbox.host;
  const cwds = new Map<string, string>();
  const where = (sessionId: string, workDir: string) => `${sessionId}\0${workDir}`;
  /** Every program of the machine that is not one of the shell's own commands: those stay in the WebAssembly tier. */
  let machinePrograms: Promise<string[]> | undefined;
  const programs = () =>
    (machinePrograms ??= Promise.all([tier.ready, shellBuiltins()]).then(([, builtins]) =>
      [...(tier.machine()?.programs ?? [])].filter((name) => !builtins.has(name)),
    ));
  const isMachineProgram = async (name: string) => (await programs()).includes(name);
  const network = (text: string) => tier.current().network.some((p) => wildcardToRegExp(p).test(text));
  /**
   * The programs of the machine a line may run: those its commands name, or every one when a command's program is
   * only known as it runs. Only these become commands of the guest's shell (registering all of them costs more than
   * the rest of a short call).
   */
  const linePrograms = async (commands: readonly ShellCommand[]): Promise<string[]> => {
    const all = await programs();
    if (commands.some((c) => !c.known)) return all;
    const named = new Set(commands.flatMap((c) => (c.known ? [c.program] : [])));
    return all.filter((name) => named.has(name));
  };
  const authority = (ctx: ToolContext): HostAuthority => ({
    async decide(program, args) {
      const text = [program, ...args].join(' ');
      const refused = await ctx.recheck({ text, program });
      return refused ? { refused } : { network: network(text) };
    },
  });

  const tool = defineTool({
    name: 'bash',
    description: describe(tier),
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
    async commandLevel(program) {
      if (tier.unavailable()) return undefined;
      if (program === null) return 'host';
      return (await isMachineProgram(program)) ? 'host' : undefined;
    },
    hostCommands(commands, { sessionId, scope }): HostCommandPreview[] {
      const guestCwd = cwds.get(where(sessionId, scope.workDir)) ?? '/';
      const folder = relative(tier.root, posix.join(scope.workDir, guestCwd)) || '.';
      return commands.map((c) => ({ command: c.text, program: c.program, folder, network: network(c.text) }));
    },
    async execute({ command, timeout_ms }, ctx) {
      // Per session and working folder: a child run in a worktree has its own.
      const key = where(ctx.sessionId, ctx.scope.workDir);
      const cwd = cwds.get(key) ?? '/';
      await tier.ready;
      // Also when the tier is unavailable: the program then answers why, and how to change it.
      const hostPrograms = await linePrograms(await shellCommands(command));
      const { result, policy } = await sandbox.run(
        'bash',
        { kind: 'tool', name: 'bash', input: { command, cwd, hostPrograms } },
        {
          signal: ctx.signal,
          scope: ctx.scope,
          narrowing: timeout_ms ? { timeoutMs: timeout_ms } : undefined,
          host: hostPrograms.length ? authority(ctx) : undefined,
        },
      );
      return toToolResult('bash', result, policy, (r: SandboxResult) => {
        const output = ShellOutputSchema.safeParse(r.output);
        if (!output.success)
          return errorResult(`bash failed inside the sandbox: ${sandboxError(r.output) ?? 'no result'}`);
        cwds.set(key, output.data.cwd);
        return present(output.data, tier);
      });
    },
  });
  // The probe of this machine answers after the tools are made: the description follows it.
  return Object.defineProperty(tool, 'description', { get: () => describe(tier), enumerable: true });
}
