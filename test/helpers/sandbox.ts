import type { AgentRuntime } from '../../src/runtime/runtime';
import type { ToolResult } from '../../src/tools/tool';

/**
 * Runs a tool of the runtime through the one tool pipeline, in bypass mode (so nothing asks), on the workspace:
 * validated input, the gate, the sandbox, the cap.
 */
export function callTool(
  runtime: AgentRuntime,
  name: string,
  input: unknown,
  signal: AbortSignal = new AbortController().signal,
): Promise<ToolResult> {
  return runtime.callTool({ callId: 'call_test', name, input }, { mode: 'bypass', signal });
}

export function text(result: ToolResult): string {
  return typeof result.content === 'string'
    ? result.content
    : result.content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');
}
