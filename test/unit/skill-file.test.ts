import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowRuleFor, parseSkillFile, splitAllowedTools } from '../../src/tools/skills/skill-file';
import { expandSkill, splitWords } from '../../src/tools/skills/skill-tool';

const skill = (front: string, body = 'Do the thing.') => `---\n${front}\n---\n${body}\n`;

describe('SKILL.md by the Agent Skills specification', () => {
  it('reads the required and optional fields, and keeps unknown ones out', () => {
    const parsed = parseSkillFile(
      skill(
        [
          'name: pdf-tools',
          'description: Extracts text and tables from PDF files.',
          'license: Apache-2.0',
          'compatibility: Needs python3 and pdfplumber.',
          'metadata:',
          '  author: example-org',
          '  version: 1.2',
          'allowed-tools: Bash(python3:*) Read',
          'x-custom: kept out',
        ].join('\n'),
        '# PDF tools\n\nUse scripts/extract.py.',
      ),
      'pdf-tools',
    );
    expect(parsed).toEqual({
      name: 'pdf-tools',
      description: 'Extracts text and tables from PDF files.',
      license: 'Apache-2.0',
      compatibility: 'Needs python3 and pdfplumber.',
      metadata: { author: 'example-org', version: '1.2' },
      allowedTools: ['Bash(python3:*)', 'Read'],
      arguments: [],
      whenToUse: undefined,
      modelInvocable: true,
      userInvocable: true,
      body: '# PDF tools\n\nUse scripts/extract.py.',
    });
  });

  it('takes allowed-tools as a space-separated string (parentheses may hold spaces) or as a YAML list', () => {
    expect(splitAllowedTools('Bash(git status:*) Bash(git diff --stat) Read')).toEqual([
      'Bash(git status:*)',
      'Bash(git diff --stat)',
      'Read',
    ]);
    expect(splitAllowedTools(['read', ' grep '])).toEqual(['read', 'grep']);
    expect(splitAllowedTools('read, grep')).toEqual(['read', 'grep']);
    expect(() => splitAllowedTools('Bash(git status')).toThrow(/unclosed/);
    expect(() => splitAllowedTools([1])).toThrow(/list tool names/);
    expect(allowRuleFor('Bash(git status:*)')).toBe('allow bash(git status*)');
    expect(allowRuleFor('Read')).toBe('allow read');
    expect(allowRuleFor('bash(npm test*)')).toBe('allow bash(npm test*)');
  });

  it('accepts the seed’s extras: arguments or parameters, when_to_use, and who may invoke it', () => {
    const listed = parseSkillFile(
      skill(
        [
          'name: greet',
          'description: Greets.',
          'arguments:',
          '  - name: who',
          '    description: The person.',
          '    required: true',
          '  - style',
          'when_to_use: When someone arrives.',
          'disable-model-invocation: true',
          'user-invocable: false',
        ].join('\n'),
      ),
      'greet',
    );
    expect(listed.arguments).toEqual([{ name: 'who', description: 'The person.', required: true }, { name: 'style' }]);
    expect(listed).toMatchObject({ whenToUse: 'When someone arrives.', modelInvocable: false, userInvocable: false });
    const mapped = parseSkillFile(skill('name: greet\ndescription: Greets.\nparameters:\n  who: The person.'), 'greet');
    expect(mapped.arguments).toEqual([{ name: 'who', description: 'The person.' }]);
  });

  it('refuses each invalid case with a reason', () => {
    const cases: [string, string, RegExp][] = [
      ['description: No name.', 'x', /name is required/],
      ['name: x', 'x', /description is required/],
      ['name: x\ndescription: "   "', 'x', /description must be non-empty/],
      ['name: Bad_Name\ndescription: d', 'Bad_Name', /lower-case letters/],
      ['name: -lead\ndescription: d', '-lead', /lower-case letters/],
      ['name: trail-\ndescription: d', 'trail-', /lower-case letters/],
      ['name: two--hyphens\ndescription: d', 'two--hyphens', /lower-case letters/],
      [`name: ${'a'.repeat(65)}\ndescription: d`, 'a'.repeat(65), /at most 64/],
      ['name: other\ndescription: d', 'folder', /must match its folder's name "folder"/],
      [`name: x\ndescription: ${'d'.repeat(1025)}`, 'x', /at most 1024/],
      ['name: x\ndescription: d\ncompatibility: ' + 'c'.repeat(501), 'x', /compatibility must be at most 500/],
      ['name: x\ndescription: d\nmetadata: [a, b]', 'x', /metadata must be a map/],
      ['name: x\ndescription: d\nallowed-tools: 3', 'x', /allowed-tools must be a list or a string/],
      ['name: x\ndescription: d\nuser-invocable: maybe', 'x', /user-invocable must be true or false/],
      ['name: x\ndescription: [unclosed', 'x', /invalid YAML/],
      ['name: x\nname: y\ndescription: d', 'x', /invalid YAML/],
      ['__proto__: {}\nname: x\ndescription: d', 'x', /not allowed as a key/],
    ];
    for (const [front, folder, problem] of cases) expect(() => parseSkillFile(skill(front), folder)).toThrow(problem);
    expect(() => parseSkillFile('# no front matter', 'x')).toThrow(/must start with front matter/);
    expect(() => parseSkillFile('---\nname: x\n', 'x')).toThrow(/no closing "---"/);
  });

  it('never evaluates the front matter: tags and code are plain text or refused', () => {
    // An unknown tag is not run: the value stays the text it tags.
    const tagged = parseSkillFile(skill('name: x\ndescription: !!js/function "function(){ return 1 }"'), 'x');
    expect(tagged.description).toBe('function(){ return 1 }');
    const parsed = parseSkillFile(skill('name: x\ndescription: "${process.exit(1)}"'), 'x');
    expect(parsed.description).toBe('${process.exit(1)}');
  });

  it('substitutes $ARGUMENTS, $1…$9 and declared names, and leaves the body’s own variables', () => {
    const declared = [{ name: 'file' }, { name: 'mode' }];
    const body = 'All: $ARGUMENTS\nFirst: $1, second: $2\nFile: ${file}, mode: $mode\nHome: $HOME';
    expect(expandSkill(body, declared, 'src/a.ts "strict mode"')).toBe(
      'All: src/a.ts "strict mode"\nFirst: src/a.ts, second: strict mode\nFile: src/a.ts, mode: strict mode\nHome: $HOME',
    );
    expect(expandSkill('File: $file', declared, { file: 'b.ts' })).toBe('File: b.ts');
    expect(expandSkill('No placeholder.', [], 'extra words')).toBe('No placeholder.\n\nArguments: extra words');
    expect(expandSkill('Nothing given: [$1]', [], undefined)).toBe('Nothing given: []');
    expect(splitWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f\\', 'g']);
  });

  it('ships built-in skills that follow the format', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'skills');
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      'code-review',
      'css-refactor-advisor',
      'current-weather',
      'front-component-generator',
      'weather-forecast',
    ]);
    for (const name of names) {
      const parsed = parseSkillFile(await readFile(join(dir, name, 'SKILL.md'), 'utf8'), name);
      expect(parsed.body.length).toBeGreaterThan(500);
      for (const entry of parsed.allowedTools) expect(() => allowRuleFor(entry)).not.toThrow();
    }
  });
});
