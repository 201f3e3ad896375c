import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version } from '../package.json';

export const VERSION: string = version;

/**
 * The installed package's folder, found by walking up from this module: the same answer from `src/` under the
 * test runner and from the `dist/` bundle.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'boxagnts')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the boxagnts package folder');
    dir = parent;
  }
}
