import type { AgentDefinition } from '../../contract/agents';
import type { Settings } from '../../contract/settings';
import { parseModelId } from '../../models/providers';
import type { PermissionMode } from '../../permissions/policy';
import { matchesWildcard } from '../../permissions/wildcard';
import { selectTools } from '../../tools/selection';
import type { RunSpec } from '../run-spec';

/** Modes from the most to the least restrictive: an agent type or a child can only move left. */
const RESTRICTIVENESS: readonly PermissionMode[] = ['plan', 'default', 'acceptEdits', 'bypass'];

/** The more restrictive of two modes. */
export function narrowerMode(a: PermissionMode, b: PermissionMode | undefined): PermissionMode {
  if (b === undefined) return a;
  return RESTRICTIVENESS.indexOf(a) <= RESTRICTIVENESS.indexOf(b) ? a : b;
}

const matchesAny = (patterns: readonly string[], name: string) => patterns.some((p) => matchesWildcard(p, name));

/** The smaller of two optional limits. */
export function lowest(...values: (number | undefined)[]): number | undefined {
  const given = values.filter((v): v is number => v !== undefined);
  return given.length === 0 ? undefined : Math.min(...given);
}

export interface AgentTypeContext {
  settings: Settings;
  /** The mode the run would be judged by without the agent type: the agent's own mode can only narrow it. */
  currentMode: PermissionMode;
  /** The tools the run could have, by name: the agent type keeps those its `tools` names and drops `disallowedTools`. */
  toolNames?: readonly string[];
}

/**
 * A run's spec narrowed by an agent type: its instructions join the system prompt, its tools are the ones it names
 * among those the run had, its mode, turns and budget can only be lower, a read-only type mounts the work folder
 * read-only, and its model is used when this workspace has that provider (`sonnet`, another agent's alias, falls back
 * to the run's model, and the prompt says so). Never widens anything.
 */
export function applyAgentType(spec: RunSpec, agent: AgentDefinition, context: AgentTypeContext): RunSpec {
  const names = context.toolNames ?? selectTools(spec.tools).tools.map((tool) => tool.name);
  const allow = names.filter(
    (name) => (agent.tools === undefined || matchesAny(agent.tools, name)) && !matchesAny(agent.disallowedTools, name),
  );
  const model = usableModel(agent.model, context.settings);
  const notice =
    agent.model && !model
      ? `[boxagnts: the agent type "${agent.name}" asks for the model "${agent.model}", which this workspace has no provider for; this run uses ${spec.model ?? 'the default model'}.]\n\n`
      : '';
  const maxCostUsd = lowest(spec.limits.maxCostUsd, agent.budgetUsd);
  return {
    ...spec,
    agentType: agent.name,
    ...(model ? { model } : {}),
    prompt: notice + spec.prompt,
    systemParts: [
      ...spec.systemParts.filter((part) => part.kind !== 'agent'),
      ...(agent.instructions ? [{ kind: 'agent' as const, text: agent.instructions }] : []),
    ],
    tools: {
      ...spec.tools,
      allow,
      // The tools an agent type names are offered in full, also those offered by name only by default.
      offer: [...(spec.tools.offer ?? []), ...(agent.tools ?? [])],
      // A type that delegates (it has `agent`) is narrowed for its own work, not for its children's: a manager reads
      // and dispatches, its executors write. They still get no tool and no mode the run could not have had.
      delegable: agent.tools?.includes('agent') ? (spec.tools.delegable ?? names) : allow,
    },
    limits: {
      ...spec.limits,
      maxTurns: lowest(spec.limits.maxTurns, agent.maxTurns) ?? spec.limits.maxTurns,
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
    },
    scope: { ...spec.scope, ...(agent.readOnly || spec.scope.readOnly ? { readOnly: true } : {}) },
    permissions: {
      ...spec.permissions,
      mode: runMode(spec.permissions.mode, context.currentMode, agent.permissionMode),
    },
  };
}

/**
 * The run's own mode under an agent type: a mode the spec fixes is narrowed by the agent's; otherwise the run follows
 * the session's mode (plan mode can still be entered and left) unless the agent's is narrower than the current one.
 */
function runMode(
  fixed: PermissionMode | undefined,
  current: PermissionMode,
  agent: PermissionMode | undefined,
): PermissionMode | undefined {
  if (fixed !== undefined) return narrowerMode(fixed, agent);
  const narrowed = narrowerMode(current, agent);
  return narrowed === current ? undefined : narrowed;
}

/** The agent type's model when it names a provider this workspace has switched on; otherwise undefined. */
function usableModel(model: string | undefined, settings: Settings): string | undefined {
  if (!model) return undefined;
  const parsed = parseModelId(model);
  if (!parsed) return undefined;
  return settings.providers[parsed.providerId]?.enabled ? model : undefined;
}
