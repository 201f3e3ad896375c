import type { Todo } from '../contract/interactions';
import { PermissionGate } from '../permissions/gate';
import { PERMISSION_MODES, type PermissionMode } from '../permissions/policy';
import type { ToolResult } from '../tools/tool';
import { openHeadlessRuntime } from './headless-runtime';
import { CommandError, UsageError, parseFlags } from './usage';

function printable(result: ToolResult): string {
  if (typeof result.content === 'string') return result.content;
  return result.content.map((block) => (block.type === 'text' ? block.text : `[image ${block.mediaType}, ${Math.round((block.data.length * 3) / 4)} bytes]`)).join('\n');
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
  });
  const [name, inputText, ...extra] = positionals;
  if (!name) throw new UsageError(`give a tool name: boxagnts tool read '{"file_path":"README.md"}'`);
  if (extra.length > 0) throw new UsageError('give the input as one JSON argument (quote it)');
  let input: unknown;
  try {
    input = inputText === undefined ? {} : JSON.parse(inputText);
  } catch (error) {
    throw new UsageError(`the input is not valid JSON: ${(error as Error).message}`);
  }
  const mode = values['permission-mode'] as PermissionMode | undefined;
  if (mode !== undefined && !PERMISSION_MODES.includes(mode)) throw new UsageError(`--permission-mode must be one of ${PERMISSION_MODES.join(', ')}`);

  const { workspace, runtime } = await openHeadlessRuntime(values['workspace-dir']);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  try {
    const { registry } = runtime.tools();
    const output = (result: ToolResult) => {
      process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${printable(result).trimEnd()}\n`);
      process.exitCode = result.isError ? 1 : 0;
    };
    const prepared = registry.prepare(name, input);
    if ('error' in prepared) {
      if (!registry.get(name)) {
        const broken = runtime.extensions.problems().map((p) => `\n  ${p.origin === 'workspace' ? '.boxagnts/tools/' : 'built-in '}${p.folder}: ${p.message}`);
        throw new CommandError(`there is no tool "${name}"; the tools are: ${registry.list().map((t) => t.name).join(', ')}${broken.length ? `\nThese tool folders could not be loaded:${broken.join('')}` : ''}`);
      }
      return output(prepared.error);
    }
    let todos: Todo[] = [];
    const gate = new PermissionGate({
      sessionId: 'cli',
      runId: 'cli',
      interactive: false,
      modeOverride: mode,
      settings: () => workspace.settings.get(),
      grants: workspace.grants,
      session: () => ({ mode: null, grants: [], title: '', todos }),
      broker: runtime.broker,
      record: async () => undefined,
      signal: controller.signal,
    });
    const call = { callId: 'cli', tool: prepared.tool, input: prepared.input };
    const refusal = await gate.authorize(call, await gate.decide(call));
    if (refusal) return output(refusal);
    const result = await registry.run(prepared.tool, prepared.input, {
      sessionId: 'cli',
      runId: 'cli',
      callId: 'cli',
      signal: controller.signal,
      progress: () => undefined,
      session: {
        mode: () => gate.mode(),
        enterPlanMode: async () => undefined,
        leavePlanMode: async () => undefined,
        todos: () => todos,
        setTodos: async (next) => {
          todos = next;
        },
      },
      catalog: { all: () => registry.list(), deferred: () => [], reveal: () => undefined },
    });
    output(result);
  } finally {
    process.off('SIGINT', onSignal);
    await runtime.close();
  }
}
