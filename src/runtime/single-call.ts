import { workspacePermissions } from '../agent/workspace-permissions';
import type { ApprovalBroker } from '../permissions/approvals';
import { PermissionGate } from '../permissions/gate';
import { type PermissionMode, parseRule } from '../permissions/policy';
import { type ToolCall, invokeTool } from '../tools/invoke';
import type { ToolOutputStore } from '../tools/output-store';
import { ToolRegistry } from '../tools/registry';
import { selectTools } from '../tools/selection';
import type { ToolSource } from '../tools/source';
import type { Todo } from '../contract/interactions';
import type { ToolResult } from '../tools/tool';
import type { Workspace } from '../workspace/workspace';

export interface SingleCallOptions {
  workspace: Workspace;
  sources: readonly ToolSource[];
  broker: ApprovalBroker;
  outputs: ToolOutputStore;
  /** The mode the call runs under; absent: the workspace's. */
  mode?: PermissionMode | undefined;
  signal: AbortSignal;
}

/**
 * One tool call outside any session (`boxagnts tool`), through the same pipeline as an agent's: the workspace's
 * tools, the gate with nobody watching (a call that would ask is refused), the sandbox on the workspace, the cap.
 */
export async function callToolOnce(options: SingleCallOptions, call: ToolCall): Promise<ToolResult> {
  const { workspace, signal } = options;
  const registry = new ToolRegistry(
    selectTools({ sources: options.sources, deny: workspace.settings.get().tools.disabled }).tools,
  );
  const gate = new PermissionGate({
    sessionId: 'cli',
    runId: 'cli',
    approvals: { watched: false, unattended: 'deny' },
    runMode: options.mode,
    ...workspacePermissions(workspace),
    runRules: [],
    session: () => ({ mode: null, grants: [], title: '' }),
    broker: options.broker,
    record: async () => undefined,
    signal,
  });
  let todos: Todo[] = [];
  return invokeTool(
    {
      sessionId: 'cli',
      runId: 'cli',
      signal,
      scope: { workDir: workspace.paths.root },
      registry,
      deferred: new Set(),
      revealed: new Set(),
      gate,
      session: {
        mode: () => gate.mode(),
        enterPlanMode: async () => undefined,
        leavePlanMode: async () => undefined,
        todos: () => todos,
        setTodos: async (next) => {
          todos = next;
        },
        activateSkill: async (name, rules) => gate.grantForSkill(name, rules.map(parseRule)),
      },
      outputs: options.outputs,
      progress: () => undefined,
    },
    call,
  );
}
