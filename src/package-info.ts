import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The installed package's folder, found by walking up from this module: the same answer from `src/` under the
 * test runner and from the `dist/` bundle.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isOurManifest(readFileSync(manifest, 'utf8'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the boxagnts package folder');
    dir = parent;
  }
}

const ManifestName = z.looseObject({ name: z.string() });

/** Whether a package.json is boxagnts's own; any other package's, or one that cannot be read, is not. */
function isOurManifest(text: string): boolean {
  try {
    return ManifestName.safeParse(JSON.parse(text)).data?.name === 'boxagnts';
  } catch {
    // Not JSON: not our manifest (ours is written by npm), so the walk goes on up.
    return false;
  }
}
