import { PERMISSION_MODES, type PermissionMode } from '../permissions/policy';
import type { ToolResult } from '../tools/tool';
import { openHeadlessRuntime } from './headless-runtime';
import { CommandError, UsageError, parseFlags, parseLogFormat } from './usage';
import { errorMessage } from '../fs/errors';

function printable(result: ToolResult): string {
  if (typeof result.content === 'string') return result.content;
  return result.content
    .map((block) =>
      block.type === 'text'
        ? block.text
        : `[image ${block.mediaType}, ${Math.round((block.data.length * 3) / 4)} bytes]`,
    )
    .join('\n');
}

/**
 * `boxagnts tool NAME 'JSON'`: one tool call through the same permission gate and sandbox as an agent's, with nobody
 * to approve (so a call that would ask is refused, unless a rule or --permission-mode allows it).
 */
export async function toolCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    'workspace-dir': { type: 'string' },
    'permission-mode': { type: 'string' },
    json: { type: 'boolean' },
    'log-format': { type: 'string' },
  });
  const [name, inputText, ...extra] = positionals;
  if (!name) throw new UsageError(`give a tool name: boxagnts tool read '{"file_path":"README.md"}'`);
  if (extra.length > 0) throw new UsageError('give the input as one JSON argument (quote it)');
  let input: unknown;
  try {
    input = inputText === undefined ? {} : JSON.parse(inputText);
  } catch (error) {
    throw new UsageError(`the input is not valid JSON: ${errorMessage(error)}`);
  }
  const mode = values['permission-mode'] as PermissionMode | undefined;
  if (mode !== undefined && !PERMISSION_MODES.includes(mode))
    throw new UsageError(`--permission-mode must be one of ${PERMISSION_MODES.join(', ')}`);

  const { runtime } = await openHeadlessRuntime(values['workspace-dir'], parseLogFormat(values['log-format']));
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  try {
    // A server's tool exists once the server has connected (in the background, as at every start).
    if (name.startsWith('mcp__')) await runtime.mcp.settled();
    if (!runtime.allTools().some((t) => t.name === name)) {
      const failed = runtime.mcp
        .status()
        .filter((s) => s.state === 'failed')
        .map((s) => `\n  MCP server ${s.name}: ${s.reason ?? 'failed'}`);
      const broken = runtime.extensions
        .problems()
        .map((p) => `\n  ${p.origin === 'workspace' ? '.boxagnts/tools/' : 'built-in '}${p.folder}: ${p.message}`);
      throw new CommandError(
        `there is no tool "${name}"; the tools are: ${runtime
          .allTools()
          .map((t) => t.name)
          .join(', ')}${broken.length ? `\nThese tool folders could not be loaded:${broken.join('')}` : ''}${
          failed.length ? `\nThese MCP servers are not connected:${failed.join('')}` : ''
        }`,
      );
    }
    const result = await runtime.callTool({ callId: 'cli', name, input }, { mode, signal: controller.signal });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${printable(result).trimEnd()}\n`);
    process.exitCode = result.isError ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    await runtime.close();
  }
}
