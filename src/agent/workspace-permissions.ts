import type { GateContext } from '../permissions/gate';
import { parseRule } from '../permissions/policy';
import type { Workspace } from '../workspace/workspace';

/**
 * What the gate takes from the workspace: its mode, its rules and standing grants, and where new grants go. The host
 * tier's run-without-asking commands come first, so that any rule of the workspace's own (a `deny bash(git push*)`)
 * beats them: the last match wins.
 */
export function workspacePermissions(
  workspace: Workspace,
): Pick<GateContext, 'workspaceMode' | 'workspaceRules' | 'grantForWorkspace'> {
  return {
    workspaceMode: () => workspace.settings.get().permissions.mode,
    workspaceRules: () => [
      ...workspace.settings.get().sandbox.host.allow.map((pattern) => parseRule(`allow bash(${pattern})`)),
      ...workspace.settings.get().permissions.rules.map(parseRule),
      ...workspace.grants.list().map((g) => parseRule(g.rule)),
    ],
    grantForWorkspace: (rule, origin) => workspace.grants.add(rule, origin),
  };
}
