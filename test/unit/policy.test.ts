import { describe, expect, it } from 'vitest';
import {
  type PermissionAction,
  type PermissionLevel,
  type PermissionMode,
  type Rule,
  RuleSyntaxError,
  decide,
  parseRule,
} from '../../src/permissions/policy';
import type { ShellCommand } from '../../src/permissions/shell-command';
import { matchesWildcard } from '../../src/permissions/wildcard';

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
    const [mode, level, none, allow, ask, deny] = line.trim().split(/\s+/) as [
      PermissionMode,
      PermissionLevel,
      ...PermissionAction[],
    ];
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
    const decision = decide(
      { tool: 'bash', level: 'execute', subject: 'rm -rf /' },
      'bypass',
      rules('deny bash(rm *)'),
    );
    expect(decision).toMatchObject({ action: 'deny', reason: 'denied by the rule "deny bash(rm *)"' });
  });

  it('the last matching rule wins', () => {
    const set = rules('deny bash', 'allow bash(git status*)');
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git status --short' }, 'default', set).action).toBe(
      'allow',
    );
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git push' }, 'default', set).action).toBe('deny');
    const reversed = rules('allow bash(git status*)', 'deny bash');
    expect(decide({ tool: 'bash', level: 'execute', subject: 'git status' }, 'default', reversed).action).toBe('deny');
  });

  it('matches patterns against the subject, and never a patterned rule against a call without one', () => {
    const set = rules('allow edit(src/*)');
    expect(decide({ tool: 'edit', level: 'write', subject: 'src/deep/a.ts' }, 'default', set).action).toBe('allow');
    expect(decide({ tool: 'edit', level: 'write', subject: 'docs/a.md' }, 'default', set).action).toBe('ask');
    expect(decide({ tool: 'edit', level: 'write' }, 'default', set).action).toBe('ask');
    expect(
      decide(
        { tool: 'web_fetch', level: 'network', subject: 'https://docs.example.com/a' },
        'default',
        rules('allow web_fetch(https://docs.example.com/*)'),
      ).action,
    ).toBe('allow');
    expect(
      decide(
        { tool: 'web_fetch', level: 'network', subject: 'https://docs.example.com.evil.io/' },
        'default',
        rules('allow web_fetch(https://docs.example.com/*)'),
      ).action,
    ).toBe('ask');
  });

  it('lets tool names hold wildcards', () => {
    const set = rules('allow mcp__github__*');
    expect(decide({ tool: 'mcp__github__list_issues', level: 'network' }, 'default', set).action).toBe('allow');
    expect(decide({ tool: 'mcp__gitlab__list', level: 'network' }, 'default', set).action).toBe('ask');
  });

  it('parses rules and refuses malformed ones', () => {
    expect(parseRule('  allow edit(src/*)  ')).toEqual({
      action: 'allow',
      tool: 'edit',
      pattern: 'src/*',
      text: 'allow edit(src/*)',
    });
    expect(parseRule('deny bash(echo (a))')).toMatchObject({ pattern: 'echo (a)' });
    for (const bad of ['permit edit', 'allow', 'allow edit()', 'allow ed it', 'allowedit(x)'])
      expect(() => parseRule(bad)).toThrow(RuleSyntaxError);
  });
});

describe('decide: a shell line, command by command', () => {
  const rules = (...texts: string[]): Rule[] => texts.map(parseRule);
  const known = (text: string, short?: string): ShellCommand => ({
    known: true,
    text,
    program: (short ?? text).split(' ')[0]!,
    ...(short ? { short } : {}),
  });
  const unknown = (text: string): ShellCommand => ({ known: false, text });
  const line = (...commands: ShellCommand[]) => ({
    tool: 'bash',
    level: 'execute' as const,
    subject: 'the line as typed',
    commands,
  });

  it('denies the line when any command is denied, and names that command', () => {
    const decision = decide(line(known('true'), known('rm -rf x')), 'bypass', rules('deny bash(rm *)'));
    expect(decision).toMatchObject({
      action: 'deny',
      reason: 'denied by the rule "deny bash(rm *)" for "rm -rf x"',
      rule: { text: 'deny bash(rm *)' },
    });
  });

  it('does not let an allow rule for one command cover the others', () => {
    const set = rules('allow bash(git status*)');
    expect(decide(line(known('git status')), 'default', set)).toMatchObject({
      action: 'allow',
      reason: 'allowed by the rule "allow bash(git status*)" for "git status"',
    });
    expect(decide(line(known('git status'), known('rm x')), 'default', set)).toMatchObject({
      action: 'ask',
      reason: 'the default mode asks for execute tools for "rm x"',
    });
    expect(
      decide(line(known('git status'), known('ls')), 'default', rules('allow bash(git status*)', 'allow bash(ls)'))
        .action,
    ).toBe('allow');
    expect(decide(line(known('git status'), known('ls')), 'default', []).reason).toBe(
      'the default mode asks for execute tools',
    );
  });

  it('takes the most restrictive decision, the first one in the line among equals', () => {
    const set = rules('ask bash(cat *)', 'deny bash(rm *)', 'allow bash(ls*)');
    expect(decide(line(known('ls'), known('cat a'), known('rm b'), known('cat c')), 'default', set).reason).toBe(
      'denied by the rule "deny bash(rm *)" for "rm b"',
    );
    expect(decide(line(known('ls'), known('cat a'), known('cat c')), 'default', set).reason).toBe(
      'asks by the rule "ask bash(cat *)" for "cat a"',
    );
  });

  it('asks for an unknown command where a deny or ask pattern might cover it, and never allows it by a pattern', () => {
    expect(decide(line(unknown('$x y')), 'bypass', rules('deny bash(rm *)'))).toMatchObject({
      action: 'ask',
      reason: 'what "$x y" runs is only known when it runs, and the rule "deny bash(rm *)" may cover it',
    });
    expect(decide(line(unknown('$x y')), 'default', rules('allow bash(*)')).action).toBe('ask');
    expect(decide(line(unknown('$x y')), 'bypass', rules('allow bash(*)')).action).toBe('allow');
    expect(decide(line(unknown('$x y')), 'bypass', []).action).toBe('allow');
    expect(decide(line(known('ls'), unknown('$x y')), 'default', rules('allow bash(ls)')).action).toBe('ask');
  });

  it('applies rules without a pattern to every command, unknown ones included', () => {
    expect(decide(line(unknown('$x y')), 'default', rules('allow bash')).action).toBe('allow');
    expect(decide(line(unknown('$x y')), 'bypass', rules('deny bash')).action).toBe('deny');
    expect(decide(line(unknown('$x y')), 'default', rules('deny bash(rm *)', 'allow bash')).action).toBe('allow');
  });

  it('matches a program written as a path by its last segment for deny and ask rules, not for allow rules', () => {
    expect(decide(line(known('/bin/rm x', 'rm x')), 'bypass', rules('deny bash(rm *)')).action).toBe('deny');
    expect(decide(line(known('/bin/rm x', 'rm x')), 'bypass', rules('ask bash(rm *)')).action).toBe('ask');
    expect(decide(line(known('./rm x', 'rm x')), 'default', rules('allow bash(rm *)')).action).toBe('ask');
    expect(decide(line(known('/bin/rm x', 'rm x')), 'default', rules('allow bash(/bin/rm *)')).action).toBe('allow');
  });

  it('leaves only rules without a pattern for a line that runs no command', () => {
    expect(decide(line(), 'default', rules('allow bash(*)')).action).toBe('ask');
    expect(decide(line(), 'default', rules('allow bash')).action).toBe('allow');
  });

  it('keeps plan mode above the rules, and a deny above plan mode', () => {
    expect(decide(line(known('ls')), 'plan', rules('allow bash(ls)')).reason).toMatch(/^plan mode is on/);
    expect(decide(line(unknown('$x')), 'plan', rules('deny bash(rm *)')).reason).toMatch(/^plan mode is on/);
    expect(decide(line(known('ls'), known('rm x')), 'plan', rules('deny bash(rm *)')).reason).toBe(
      'denied by the rule "deny bash(rm *)" for "rm x"',
    );
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
