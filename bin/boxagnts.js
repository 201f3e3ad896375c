#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('boxagnts: the package is not built; run `npm run build` in its folder first\n');
  process.exit(1);
}
await import(entry.href);
