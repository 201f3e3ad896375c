// `npm run format`: Prettier writes the formatting of every file `npm run lint` checks.
import { spawnSync } from 'node:child_process';
import { FORMATTED } from './formatted.mjs';

const prettier = new URL('../node_modules/.bin/prettier', import.meta.url).pathname;
process.exit(spawnSync(prettier, ['--write', '--log-level', 'warn', ...FORMATTED], { stdio: 'inherit' }).status ?? 1);
