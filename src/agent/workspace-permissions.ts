import type { GateContext } from '../permissions/gate';
import { parseRule } from '../permissions/policy';
import type { Workspace } from '../workspace/workspace';

/** What the gate takes from the workspace: its mode, its rules and standing grants, and where new grants go. */
export function workspacePermissions(
  workspace: Workspace,
): Pick<GateContext, 'workspaceMode' | 'workspaceRules' | 'grantForWorkspace'> {
  return {
    workspaceMode: () => workspace.settings.get().permissions.mode,
    workspaceRules: () => [
      ...workspace.settings.get().permissions.rules.map(parseRule),
      ...workspace.grants.list().map((g) => parseRule(g.rule)),
    ],
    grantForWorkspace: (rule, origin) => workspace.grants.add(rule, origin),
  };
}
