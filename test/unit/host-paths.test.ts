import { describe, expect, it } from 'vitest';
import { hostPathToGuest } from '../../src/tools/host-paths';

describe('hostPathToGuest', () => {
  it.each([
    ['/home/me/project/src/a.ts', '/src/a.ts'],
    ['/home/me/project', '/'],
    ['/home/me/project/', '/'],
    ['/home/me/project/./src//a.ts', '/src/a.ts'],
    // Outside after folding `..`: left as sent, for the confiner (where it is simply not found).
    ['/home/me/project/../x', '/home/me/project/../x'],
    ['/home/me/project/src/../../x', '/home/me/project/src/../../x'],
    // A longer name that only starts like the workspace is another folder.
    ['/home/me/project2/a.ts', '/home/me/project2/a.ts'],
    ['/etc/passwd', '/etc/passwd'],
    ['src/a.ts', 'src/a.ts'],
    ['/src/a.ts', '/src/a.ts'],
  ])('%s → %s', (path, expected) => {
    expect(hostPathToGuest(path, '/home/me/project')).toBe(expected);
  });

  it('leaves every path alone when the workspace is the host root', () => {
    expect(hostPathToGuest('/etc/passwd', '/')).toBe('/etc/passwd');
  });
});
