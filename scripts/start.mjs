// `npm start`: build when a source changed since the last build, then serve. Extra arguments go to `boxagnts`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
process.argv = [process.argv[0], join(root, 'dist', 'cli.js'), ...process.argv.slice(2)];
await import(pathToFileURL(join(root, 'dist', 'cli.js')).href);
