import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { errnoCode } from './errors';

/**
 * Whether every folder from `root` down to `dir` is a real folder, not a link: what the runtime reads from a folder of
 * the workspace by itself (agent and skill files) must not be brought in from elsewhere by a link.
 */
export async function isRealFolder(root: string, dir: string): Promise<boolean> {
  const below = relative(root, dir);
  if (below.startsWith('..')) return false;
  let path = root;
  for (const name of below === '' ? [] : below.split(sep)) {
    path = join(path, name);
    try {
      if (!(await lstat(path)).isDirectory()) return false;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
      throw error;
    }
  }
  return true;
}
