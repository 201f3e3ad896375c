import { describe, expect, it } from 'vitest';
import { type PermissionAction, type PermissionMode, type Rule, RuleSyntaxError, decide, parseRule } from '../../src/permissions/policy';
import { matchesWildcard } from '../../src/permissions/wildcard';
import type { PermissionLevel } from '../../src/tools/tool';

/**
 * Every mode × level × rule outcome, written out by hand (not derived from the code under test).
 * Columns: no rule, a matching allow rule, a matching ask rule, a matching deny rule.
 */
const TABLE = `
default      read     allow  allow  ask  deny
default      write    ask    allow  ask  deny
default      execute  ask    allow  ask  deny
default      network  ask    allow  ask  deny
acceptEdits  read     allow  allow  ask  deny
acceptEdits  write    allow  allow  ask  deny
acceptEdits  execute  ask    allow  ask  deny
acceptEdits  network  ask    allow  ask  deny
plan         read     allow  allow  ask  deny
plan         write    deny   deny   deny deny
plan         execute  deny   deny   deny deny
plan         network  ask    allow  ask  deny
bypass       read     allow  allow  ask  deny
bypass       write    allow  allow  ask  deny
bypass       execute  allow  allow  ask  deny
bypass       network  allow  allow  ask  deny
`;

const rows = TABLE.trim()
  .split('\n')
  .flatMap((line) => {
    const [mode, level, none, allow, ask, deny] = line.trim().split(/\s+/) as [PermissionMode, PermissionLevel, ...PermissionAction[]];
    return (
      [
        ['none', none],
        ['allow', allow],
        ['ask', ask],
        ['deny', deny],
      ] as const
    ).map(([rule, expected]) => ({ mode, level, rule, expected: expected! }));
  });

describe('decide: every mode × level × rule', () => {
  it('covers all 64 combinations', () => expect(rows).toHaveLength(64));
  it.each(rows)('$mode / $level / rule $rule → $expected', ({ mode, level, rule, expected }) => {
    const rules = rule === 'none' ? [] : [parseRule(`${rule} tool_x(target/*)`)];
    const decision = decide({ tool: 'tool_x', level, subject: 'target/file.txt' }, mode, rules);
    expect(decision.action).toBe(expected);
    expect(decision.reason.length).toBeGreaterThan(10);
  });
});

describe('decide: rules', () => {
  const rules = (...texts: string[]): Rule[] => texts.map(parseRule);

  it('deny beats bypass, and says which rule', () => {
    const decision = decide({ tool: 'bash', level: 'execute', subject: 'rm -rf /' }, 'bypass', rules('deny bash(rm *)'));
    expect(decision).toMatchObject({ action: 'deny', reason: 'denied by the rule "deny bash(rm *)"' });
  });

  it('the last matching rule wins', () => {
    const set = rules('deny bash', 'allow bash(git status*)');
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git status --short' }, 'default', set).action).toBe('allow');
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git push' }, 'default', set).action).toBe('deny');
    const reversed = rules('allow bash(git status*)', 'deny bash');
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git status' }, 'default', reversed).action).toBe('deny');
  });

  it('matches patterns against the subject, and never a patterned rule against a call without one', () => {
    const set = rules('allow edit(src/*)');
    expect(decide({ tool: 'edit', level: 'write', subject: 'src/deep/a.ts' }, 'default', set).action).toBe('allow');
    expect(decide({ tool: 'edit', level: 'write', subject: 'docs/a.md' }, 'default', set).action).toBe('ask');
    expect(decide({ tool: 'edit', level: 'write' }, 'default', set).action).toBe('ask');
    expect(decide({ tool: 'web_fetch', level: 'network', subject: 'https://docs.example.com/a' }, 'default', rules('allow web_fetch(https://docs.example.com/*)')).action).toBe('allow');
    expect(decide({ tool: 'web_fetch', level: 'network', subject: 'https://docs.example.com.evil.io/' }, 'default', rules('allow web_fetch(https://docs.example.com/*)')).action).toBe('ask');
  });

  it('lets tool names hold wildcards', () => {
    const set = rules('allow mcp__github__*');
    expect(decide({ tool: 'mcp__github__list_issues', level: 'network' }, 'default', set).action).toBe('allow');
    expect(decide({ tool: 'mcp__gitlab__list', level: 'network' }, 'default', set).action).toBe('ask');
  });

  it('parses rules and refuses malformed ones', () => {
    expect(parseRule('  allow edit(src/*)  ')).toEqual({ action: 'allow', tool: 'edit', pattern: 'src/*', text: 'allow edit(src/*)' });
    expect(parseRule('deny bash(echo (a))')).toMatchObject({ pattern: 'echo (a)' });
    for (const bad of ['permit edit', 'allow', 'allow edit()', 'allow ed it', 'allowedit(x)']) expect(() => parseRule(bad)).toThrow(RuleSyntaxError);
  });
});

describe('wildcards', () => {
  it.each([
    ['src/*', 'src/a/b.ts', true],
    ['src/*', 'src', false],
    ['*.md', 'docs/readme.md', true],
    ['git status*', 'git status', true],
    ['git status*', 'git stash', false],
    ['file?.txt', 'file1.txt', true],
    ['a.b', 'aXb', false],
    ['(x)', '(x)', true],
  ])('%s ~ %s → %s', (pattern, text, expected) => {
    expect(matchesWildcard(pattern, text)).toBe(expected);
  });
});
