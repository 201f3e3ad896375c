import type { PermissionLevel } from '../tools/tool';
import { wildcardToRegExp } from './wildcard';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypass'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];
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
  if (!match) throw new RuleSyntaxError(`"${text}" is not a rule; write "allow TOOL", "ask TOOL(PATTERN)" or "deny TOOL(PATTERN)"`);
  const pattern = match[3];
  if (pattern !== undefined && pattern.trim() === '') throw new RuleSyntaxError(`"${text}" has an empty pattern; leave out the parentheses to match every call`);
  return { action: match[1] as PermissionAction, tool: match[2]!, ...(pattern !== undefined ? { pattern } : {}), text: text.trim() };
}

export function formatRule(action: PermissionAction, tool: string, pattern?: string): string {
  return pattern === undefined ? `${action} ${tool}` : `${action} ${tool}(${pattern})`;
}

export interface PermissionRequest {
  tool: string;
  level: PermissionLevel;
  /** What patterns match against; absent for tools that name none (then only rules without a pattern apply). */
  subject?: string | undefined;
}

export interface Decision {
  action: PermissionAction;
  /** Why, in words the user and the model can act on. */
  reason: string;
  rule?: Rule;
}

export function ruleMatches(rule: Rule, request: PermissionRequest): boolean {
  if (!wildcardToRegExp(rule.tool).test(request.tool)) return false;
  if (rule.pattern === undefined) return true;
  return request.subject !== undefined && wildcardToRegExp(rule.pattern).test(request.subject);
}

const RANK: Record<PermissionLevel, number> = { read: 0, write: 1, execute: 2, network: 3 };

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

/**
 * Decides one tool call. The last rule that matches wins; a matching deny beats every mode (bypass included);
 * plan mode refuses writes and commands whatever the rules say; otherwise the matching rule, else the mode, decides.
 * Pure: the same input always gives the same decision.
 */
export function decide(request: PermissionRequest, mode: PermissionMode, rules: readonly Rule[]): Decision {
  const rule = rules.findLast((r) => ruleMatches(r, request));
  if (rule?.action === 'deny') return { action: 'deny', reason: `denied by the rule "${rule.text}"`, rule };
  if (mode === 'plan' && (request.level === 'write' || request.level === 'execute')) {
    return { action: 'deny', reason: `plan mode is on: ${request.level} tools are refused until the plan is approved (call exit_plan_mode with the plan)` };
  }
  if (rule) return { action: rule.action, reason: `${rule.action === 'allow' ? 'allowed' : 'asks'} by the rule "${rule.text}"`, rule };
  const action = modeAction(mode, request.level);
  const verb = action === 'allow' ? 'allows' : 'asks for';
  return { action, reason: `${mode === 'default' ? 'the default mode' : `${mode} mode`} ${verb} ${request.level} tools` };
}
