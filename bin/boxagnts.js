#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);
const buildScript = new URL('../scripts/build.mjs', import.meta.url);
if (!existsSync(entry)) {
  // A fresh checkout: build once, then run. A published package ships dist/ already.
  if (!existsSync(buildScript)) {
    process.stderr.write('boxagnts: this installation has no dist/ folder; reinstall the package\n');
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [fileURLToPath(buildScript)], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(entry.href);
