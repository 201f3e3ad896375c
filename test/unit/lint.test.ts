import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'lint');

/** The rule and line of every problem ESLint reports in one fixture, with the repository's own configuration. */
async function problems(file: string): Promise<string[]> {
  // The fixtures are ignored by `npm run lint` (they break rules on purpose); linted here with `ignore: false`.
  const eslint = new ESLint({ cwd: REPO_ROOT, ignore: false });
  const [result] = await eslint.lintFiles([join(FIXTURES, file)]);
  return (result?.messages ?? []).map((m) => `${m.line} ${m.ruleId ?? m.message}`);
}

describe('the linter', () => {
  it('flags a floating promise and a promise handed to a callback that ignores it', { timeout: 120_000 }, async () => {
    expect(await problems('floating.ts')).toEqual([
      '5 @typescript-eslint/no-floating-promises',
      '9 @typescript-eslint/no-misused-promises',
    ]);
  });

  it(
    'flags a value cast from unknown or any, directly or through unknown, and leaves `as const` alone',
    { timeout: 120_000 },
    async () => {
      expect(await problems('casts.ts')).toEqual([
        '7 boxagnts/no-cast-from-unknown',
        '11 boxagnts/no-cast-from-unknown',
      ]);
    },
  );

  it('flags a dropped error unless a comment says why dropping it is safe', { timeout: 120_000 }, async () => {
    expect(await problems('silent.ts')).toEqual(['3 boxagnts/no-silent-catch', '6 boxagnts/no-silent-catch']);
  });

  it('finds an unformatted file with the repository’s Prettier settings', async () => {
    const file = join(FIXTURES, 'unformatted.ts');
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    expect(await prettier.check(await readFile(file, 'utf8'), options)).toBe(false);
    expect(
      await prettier.check(await readFile(join(FIXTURES, 'casts.ts'), 'utf8'), {
        ...options,
        filepath: join(FIXTURES, 'casts.ts'),
      }),
    ).toBe(true);
  });
});
