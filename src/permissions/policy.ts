import type { PermissionLevel, PermissionMode } from '../contract/permissions';
import type { ShellCommand } from './shell-command';
import { wildcardToRegExp } from './wildcard';

// Levels and modes are shown by the dashboard, so their shape is the contract's; they are the policy's words.
export {
  PERMISSION_LEVELS,
  PERMISSION_MODES,
  type PermissionLevel,
  type PermissionMode,
} from '../contract/permissions';
export type PermissionAction = 'allow' | 'ask' | 'deny';

/**
 * A rule as written: `ACTION TOOL` or `ACTION TOOL(PATTERN)`, e.g. `allow edit(src/*)`, `deny bash(rm *)`,
 * `ask web_fetch(https://*)`. TOOL may hold wildcards (`mcp__github__*`); PATTERN is matched against the part of the
 * call the tool names as its subject (a path relative to the workspace, a command, a URL).
 */
export interface Rule {
  action: PermissionAction;
  tool: string;
  pattern?: string | undefined;
  /** The rule as written, for messages and for the Security page. */
  text: string;
}

const RULE = /^(allow|ask|deny)\s+([A-Za-z0-9_*?-]+)(?:\((.*)\))?\s*$/s;

export class RuleSyntaxError extends Error {
  override readonly name = 'RuleSyntaxError';
}

export function parseRule(text: string): Rule {
  const match = RULE.exec(text.trim());
  if (!match)
    throw new RuleSyntaxError(
      `"${text}" is not a rule; write "allow TOOL", "ask TOOL(PATTERN)" or "deny TOOL(PATTERN)"`,
    );
  const pattern = match[3];
  if (pattern !== undefined && pattern.trim() === '')
    throw new RuleSyntaxError(`"${text}" has an empty pattern; leave out the parentheses to match every call`);
  return {
    action: match[1] as PermissionAction,
    tool: match[2]!,
    ...(pattern !== undefined ? { pattern } : {}),
    text: text.trim(),
  };
}

export function formatRule(action: PermissionAction, tool: string, pattern?: string): string {
  return pattern === undefined ? `${action} ${tool}` : `${action} ${tool}(${pattern})`;
}

export interface PermissionRequest {
  tool: string;
  level: PermissionLevel;
  /** What patterns match against; absent for tools that name none (then only rules without a pattern apply). */
  subject?: string | undefined;
  /**
   * For a tool whose subject is a shell line: the simple commands it runs. Rules then match each command instead of
   * the line, and the call gets the most restrictive of their decisions.
   */
  commands?: readonly ShellCommand[] | undefined;
}

export interface Decision {
  action: PermissionAction;
  /** Why, in words the user and the model can act on. */
  reason: string;
  rule?: Rule;
}

function toolMatches(rule: Rule, tool: string): boolean {
  return wildcardToRegExp(rule.tool).test(tool);
}

/** Whether any of `rules` has a pattern for `tool`: only then does a call's subject matter to the decision. */
export function hasPatternRules(rules: readonly Rule[], tool: string): boolean {
  return rules.some((rule) => rule.pattern !== undefined && toolMatches(rule, tool));
}

export function ruleMatches(rule: Rule, request: PermissionRequest): boolean {
  if (!toolMatches(rule, request.tool)) return false;
  if (rule.pattern === undefined) return true;
  return request.subject !== undefined && wildcardToRegExp(rule.pattern).test(request.subject);
}

/**
 * What a rule says about one command of a shell line, or undefined when it does not apply. A program written as a
 * path is also matched by the last segment of the path, but only by deny and ask rules: `allow bash(rm *)` must not
 * let a script of the workspace called `./rm` run. An unknown command cannot be matched by an allow pattern, and
 * every deny or ask pattern might be the one it turns out to match, so those ask.
 */
function commandAction(rule: Rule, tool: string, command: ShellCommand): PermissionAction | undefined {
  if (!toolMatches(rule, tool)) return undefined;
  if (rule.pattern === undefined) return rule.action;
  if (!command.known) return rule.action === 'allow' ? undefined : 'ask';
  const pattern = wildcardToRegExp(rule.pattern);
  const matches =
    pattern.test(command.text) ||
    (rule.action !== 'allow' && command.short !== undefined && pattern.test(command.short));
  return matches ? rule.action : undefined;
}

const RANK: Record<PermissionLevel, number> = { read: 0, write: 1, execute: 2, network: 3, host: 4 };
const SEVERITY: Record<PermissionAction, number> = { allow: 0, ask: 1, deny: 2 };

/** What each mode does with a level when no rule speaks. */
function modeAction(mode: PermissionMode, level: PermissionLevel): PermissionAction {
  switch (mode) {
    case 'bypass':
      return 'allow';
    case 'acceptEdits':
      return RANK[level] <= RANK.write ? 'allow' : 'ask';
    case 'default':
    case 'plan':
      return level === 'read' ? 'allow' : 'ask';
  }
}

/** The decision once the last rule that applies (if any) and what it says are known. */
function decideWith(
  level: PermissionLevel,
  mode: PermissionMode,
  rule: Rule | undefined,
  action: PermissionAction | undefined,
): Decision {
  if (rule && action === 'deny') return { action: 'deny', reason: `denied by the rule "${rule.text}"`, rule };
  if (mode === 'plan' && RANK[level] >= RANK.write && level !== 'network') {
    return {
      action: 'deny',
      reason: `plan mode is on: ${level} tools are refused until the plan is approved (call exit_plan_mode with the plan)`,
    };
  }
  if (rule && action)
    return { action, reason: `${action === 'allow' ? 'allowed' : 'asks'} by the rule "${rule.text}"`, rule };
  const fallback = modeAction(mode, level);
  const verb = fallback === 'allow' ? 'allows' : 'asks for';
  return {
    action: fallback,
    reason: `${mode === 'default' ? 'the default mode' : `${mode} mode`} ${verb} ${level} tools`,
  };
}

function decideCommand(
  request: PermissionRequest,
  command: ShellCommand,
  mode: PermissionMode,
  rules: readonly Rule[],
): Decision {
  let rule: Rule | undefined;
  let action: PermissionAction | undefined;
  for (const candidate of rules) {
    const said = commandAction(candidate, request.tool, command);
    if (said) [rule, action] = [candidate, said];
  }
  const decision = decideWith(command.level ?? request.level, mode, rule, action);
  if (!command.known && decision.rule?.pattern !== undefined) {
    return {
      ...decision,
      reason: `what "${command.text}" runs is only known when it runs, and the rule "${decision.rule.text}" may cover it`,
    };
  }
  return decision.rule ? { ...decision, reason: `${decision.reason} for "${command.text}"` } : decision;
}

/**
 * Decides one tool call. The last rule that matches wins; a matching deny beats every mode (bypass included);
 * plan mode refuses writes and commands whatever the rules say; otherwise the matching rule, else the mode, decides.
 * A shell line is decided command by command, and the most restrictive decision is the call's (among equals, the
 * first that a rule made, else the first in the line). Pure: the same input always gives the same decision.
 */
export function decide(request: PermissionRequest, mode: PermissionMode, rules: readonly Rule[]): Decision {
  const { commands } = request;
  if (commands === undefined || commands.length === 0) {
    // A line that runs no command (`x=1`) leaves only the rules without a pattern to apply.
    const target = commands === undefined ? request : { ...request, subject: undefined };
    const rule = rules.findLast((r) => ruleMatches(r, target));
    return decideWith(request.level, mode, rule, rule?.action);
  }
  const decisions = commands.map((command) => decideCommand(request, command, mode, rules));
  const worst = decisions.reduce((worst, next) => {
    const rank = SEVERITY[next.action] - SEVERITY[worst.action];
    // Among equals, a rule's decision says more than the mode's.
    return rank > 0 || (rank === 0 && next.rule && !worst.rule) ? next : worst;
  });
  // The mode decided: name the command only when the others fared better.
  if (worst.rule || decisions.every((d) => d.action === worst.action)) return worst;
  return { ...worst, reason: `${worst.reason} for "${commands[decisions.indexOf(worst)]!.text}"` };
}
