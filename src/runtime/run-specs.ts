import { readFile } from 'node:fs/promises';
import { applyAgentType } from '../agent/orchestration/agent-spec';
import { agentsMdPart, basePromptPart } from '../agent/prompt';
import type { RunLimits, RunSpec } from '../agent/run-spec';
import type { Approvals } from '../permissions/gate';
import type { PermissionMode } from '../permissions/policy';
import type { Mount } from '../fs/confiner';
import type { AgentTypes } from '../tools/agents/agent-types';
import { SKILLS_GUEST_DIR, type Skill, type SkillCatalog } from '../tools/skills/skill-catalog';
import { skillsBlock, skillsBlockLimit } from '../tools/skills/skill-prompt';
import { skillInstructions, skillRules } from '../tools/skills/skill-tool';
import type { ToolSelection } from '../tools/selection';
import type { ToolSource } from '../tools/source';
import type { Settings } from '../contract/settings';
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
  /**
   * The mode the run would be judged by otherwise (the session's, else the workspace's): an agent type's own mode
   * can only narrow it. Absent: the workspace's.
   */
  currentMode?: PermissionMode | undefined;
  /** The agent type the run takes (the session's, `boxagnts run --agent`, `--managed`). */
  agentType?: string | undefined;
}

/** An agent type that does not exist: the run is refused, naming the types there are. */
export class UnknownAgentTypeError extends Error {
  override readonly name = 'UnknownAgentTypeError';
}

export interface WorkspaceSpecDeps {
  workspace: Workspace;
  sources: readonly ToolSource[];
  agentTypes: AgentTypes;
  skills: SkillCatalog;
  /** The context window of a model (`provider/model`, or the default), when the catalog knows it. */
  contextWindow(model: string | undefined): number | undefined;
  /** `/mcp__SERVER__PROMPT args` as the server's prompt text; undefined when the text is no such command. */
  mcpPrompt(text: string): Promise<string | undefined>;
}

/** `/compact [focus]`: the user asks for the conversation to be compacted now. */
const COMPACT_COMMAND = /^\/compact(?:\s+([\s\S]*))?$/;

/** `/name args`: the user runs a skill. */
const SKILL_COMMAND = /^\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\s+([\s\S]*))?$/;

/**
 * The RunSpec of a run the user starts on the whole workspace: its tools are every source's minus those switched off,
 * its folder is the workspace, its limits are the workspace's turn limit and any budget asked for; an agent type
 * narrows all of it.
 */
export async function workspaceRunSpec(
  { workspace, sources, agentTypes, skills, contextWindow, mcpPrompt }: WorkspaceSpecDeps,
  request: WorkspaceRunRequest,
  approvals: Approvals,
): Promise<RunSpec> {
  const settings = workspace.settings.get();
  const notes = agentsMdPart(await readFile(workspace.paths.agentsFile, 'utf8').catch(() => ''));
  const loaded = await skills.loaded();
  const window = contextWindow(request.model);
  const block = skillsBlock(loaded, skillsBlockLimit(window));
  const compact = COMPACT_COMMAND.exec(request.text.trim());
  const invoked = compact ? undefined : await userSkill(loaded, request.text);
  const prompted = invoked ? undefined : await mcpPrompt(request.text);
  const spec: RunSpec = {
    model: request.model,
    prompt: invoked?.prompt ?? prompted ?? request.text,
    ...(invoked ? { command: request.text, skillGrants: [invoked.grant] } : {}),
    ...(prompted !== undefined ? { command: request.text } : {}),
    ...(compact ? { compact: { focus: compact[1]?.trim() || undefined }, command: request.text } : {}),
    systemParts: [
      basePromptPart({
        workspaceName: workspace.paths.name,
        date: new Date(),
        platform: process.platform,
        compact: isSmallContext(window),
      }),
      ...(notes ? [notes] : []),
      ...(block.text ? [{ kind: 'skills' as const, text: block.text }] : []),
    ],
    tools: workspaceToolSelection(settings, sources, window),
    limits: { maxTurns: settings.agent.maxTurns, ...request.limits },
    // Each loaded skill's folder, read-only, where the skills block and the skill tool say it is.
    scope: { workDir: workspace.paths.root, mounts: skillMounts(loaded) },
    permissions: { mode: request.permissionMode, approvals },
    depth: 0,
  };
  if (!request.agentType) return spec;
  const agent = await agentTypes.get(request.agentType);
  if (!agent) {
    const names = (await agentTypes.list()).agents.map((a) => a.name).join(', ');
    throw new UnknownAgentTypeError(`There is no agent type "${request.agentType}" (agent types: ${names}).`);
  }
  const currentMode = request.permissionMode ?? request.currentMode ?? settings.permissions.mode;
  return applyAgentType(spec, agent, { settings, currentMode });
}

/** The folder of each skill, read-only at `/.skills/NAME`. */
export function skillMounts(skills: readonly Skill[]): Mount[] {
  return skills.map((skill) => ({ host: skill.dir, guest: `${SKILLS_GUEST_DIR}/${skill.name}`, readOnly: true }));
}

/** The user's `/name args`, when it names a skill they may run: the prompt it expands to, and its grants. */
async function userSkill(
  skills: readonly Skill[],
  text: string,
): Promise<{ prompt: string; grant: { skill: string; rules: string[] } } | undefined> {
  const match = SKILL_COMMAND.exec(text.trim());
  const skill = match && skills.find((s) => s.name === match[1] && s.userInvocable);
  if (!match || !skill) return undefined;
  const prompt = `The user ran the skill /${skill.name}${match[2] ? ` with: ${match[2].trim()}` : ''}. Follow its instructions.\n\n${await skillInstructions(skill, match[2]?.trim())}`;
  return { prompt, grant: { skill: skill.name, rules: skillRules(skill) } };
}

/** Windows this small (16 k tokens or less) get a compact system prompt and only the core tools in full. */
export const SMALL_CONTEXT_TOKENS = 16_384;
/** The tools a small-context run is offered in full: the core file tools and the shell; tool_search finds the rest. */
export const SMALL_CONTEXT_TOOLS: readonly string[] = ['read', 'write', 'edit', 'glob', 'grep', 'bash'];

export function isSmallContext(contextWindow: number | undefined): boolean {
  return contextWindow !== undefined && contextWindow <= SMALL_CONTEXT_TOKENS;
}

/**
 * The tools of a run on the whole workspace for a model of this window: every source's but those switched off, the
 * ones offered by name when their definitions would crowd the window, and only the core ones in full when it is small.
 */
export function workspaceToolSelection(
  settings: Settings,
  sources: readonly ToolSource[],
  contextWindow: number | undefined,
): ToolSelection {
  return {
    sources,
    deny: settings.tools.disabled,
    offer: settings.tools.offered,
    deferAboveTokens: deferAboveTokens(contextWindow),
    ...(isSmallContext(contextWindow) ? { core: SMALL_CONTEXT_TOOLS } : {}),
  };
}

/** MCP and extension tools whose definitions would take more than this share of the window are offered by name. */
const TOOL_WINDOW_SHARE = 0.1;

export function deferAboveTokens(contextWindow: number | undefined): number | undefined {
  return contextWindow === undefined ? undefined : Math.floor(contextWindow * TOOL_WINDOW_SHARE);
}
