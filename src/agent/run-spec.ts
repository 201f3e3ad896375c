import type { Approvals } from '../permissions/gate';
import type { PermissionMode, Rule } from '../permissions/policy';
import type { SandboxScope } from '../sandbox/limits';
import type { ToolSelection } from '../tools/selection';

/**
 * A piece of the system prompt. Whoever starts a run adds parts (the workspace's AGENTS.md, a skills catalog, an
 * agent's instructions) instead of rebuilding the prompt; the runner adds the run's tool list after the base.
 */
export interface PromptPart {
  kind: 'base' | 'agents-md' | 'skills' | 'agent';
  text: string;
}

export interface RunLimits {
  /** Model calls, counting every step; reaching it ends the run with `max_turns`. */
  maxTurns: number;
  /** Input tokens billed over all the run's model calls (each call sends the conversation again). */
  maxInputTokens?: number | undefined;
  maxOutputTokens?: number | undefined;
  maxCostUsd?: number | undefined;
  /** Wall-clock time from the start of the run, model calls and tools included. */
  maxWallMs?: number | undefined;
}

export interface PermissionProfile {
  /** A mode for this run only, above the session's and the workspace's; absent: theirs. */
  mode?: PermissionMode | undefined;
  /** Rules the run brings on top of the workspace's, applied last (a child can only be narrowed). */
  rules?: readonly Rule[] | undefined;
  /** Who answers a call that asks: someone watching, or nobody (refuse at once, or park in the inbox). */
  approvals: Approvals;
}

export interface RunParent {
  sessionId: string;
  runId: string;
  callId: string;
}

/**
 * Everything about one run, built by whoever starts it (the chat, the CLI, and later the agent tool and cron jobs).
 * Every later feature is a different value of this, not a special case in the runner.
 */
export interface RunSpec {
  /** `provider/model`; absent: the workspace's default model. */
  model?: string | undefined;
  prompt: string;
  systemParts: PromptPart[];
  tools: ToolSelection;
  limits: RunLimits;
  scope: SandboxScope;
  permissions: PermissionProfile;
  parent?: RunParent | undefined;
  /** 0 for a run the user started; a child's is its parent's plus one. */
  depth: number;
  /** The agent type the run takes, for attributing its usage; absent: the plain agent. */
  agentType?: string | undefined;
  /** What the user typed when the prompt is its expansion (`/code-review src/a.ts`): the chat shows this. */
  command?: string | undefined;
  /** `/compact [focus]`: the run only compacts the session's conversation. */
  compact?: { focus?: string | undefined } | undefined;
  /**
   * Name the session after this run's answer with a short title from its model (the first message of a session in
   * the dashboard, when Settings → Sessions generates titles); absent: the title stays as it is.
   */
  title?: boolean | undefined;
  /** Skills active from the start (a `/skill` the user ran): their `allowed-tools` rules, as the skill tool grants them. */
  skillGrants?: readonly { skill: string; rules: readonly string[] }[] | undefined;
}
