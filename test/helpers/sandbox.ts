import type { AgentRuntime } from '../../src/runtime/runtime';
import type { ToolContext, ToolResult } from '../../src/tools/tool';

/** A tool context for calling one tool directly, outside any run. */
export function directContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    sessionId: 'ses_test',
    runId: 'run_test',
    callId: 'call_test',
    signal,
    progress: () => undefined,
    session: { mode: () => 'bypass', enterPlanMode: async () => undefined, leavePlanMode: async () => undefined, todos: () => [], setTodos: async () => undefined },
    catalog: { all: () => [], deferred: () => [], reveal: () => undefined },
  };
}

/** Runs a tool of the runtime the way the agent loop does after approval: validated input, then the sandbox. */
export async function callTool(runtime: AgentRuntime, name: string, input: unknown, signal?: AbortSignal): Promise<ToolResult> {
  const { registry } = runtime.tools();
  const prepared = registry.prepare(name, input);
  if ('error' in prepared) return prepared.error;
  return registry.run(prepared.tool, prepared.input, directContext(signal));
}

export function text(result: ToolResult): string {
  return typeof result.content === 'string' ? result.content : result.content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');
}
