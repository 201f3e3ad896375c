import { readFile } from 'node:fs/promises';
import { agentsMdPart, basePromptPart } from '../agent/prompt';
import type { RunLimits, RunSpec } from '../agent/run-spec';
import type { Approvals } from '../permissions/gate';
import type { PermissionMode } from '../permissions/policy';
import type { ToolSource } from '../tools/source';
import type { Workspace } from '../workspace/workspace';

/** What the user asks for when they start a run in the workspace: the chat's message, or `boxagnts run`. */
export interface WorkspaceRunRequest {
  text: string;
  /** `provider/model`; the workspace default when absent. */
  model?: string | undefined;
  /** Budgets beyond the workspace's turn limit (`boxagnts run --max-cost-usd …`). */
  limits?: Partial<RunLimits> | undefined;
  /** A mode for this run only, above the session's and the workspace's. */
  permissionMode?: PermissionMode | undefined;
}

/**
 * The RunSpec of a run the user starts on the whole workspace: its tools are every source's minus those switched off,
 * its folder is the workspace, its limits are the workspace's turn limit and any budget asked for.
 */
export async function workspaceRunSpec(
  workspace: Workspace,
  sources: readonly ToolSource[],
  request: WorkspaceRunRequest,
  approvals: Approvals,
): Promise<RunSpec> {
  const settings = workspace.settings.get();
  const notes = agentsMdPart(await readFile(workspace.paths.agentsFile, 'utf8').catch(() => ''));
  return {
    model: request.model,
    prompt: request.text,
    systemParts: [
      basePromptPart({ workspaceName: workspace.paths.name, date: new Date(), platform: process.platform }),
      ...(notes ? [notes] : []),
    ],
    tools: { sources, deny: settings.tools.disabled, offer: settings.tools.offered },
    limits: { maxTurns: settings.agent.maxTurns, ...request.limits },
    scope: { workDir: workspace.paths.root },
    permissions: { mode: request.permissionMode, approvals },
    depth: 0,
  };
}
