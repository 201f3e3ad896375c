// The static checks, run side by side (each is single-threaded; two cores do two at a time):
//   node scripts/checks.mjs lint   Prettier's check and ESLint (`npm run lint`)
//   node scripts/checks.mjs all    those, the three type checks, the layering check and the build (`npm test`)
// Each check's output is shown only when it fails; the run fails if any check does.
import { spawn } from 'node:child_process';
import { FORMATTED } from './formatted.mjs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const tsc = (project) => ({ name: `tsc -p ${project}`, command: bin('tsc'), args: ['--noEmit', '-p', project] });

const LINT = [
  {
    name: 'prettier',
    command: bin('prettier'),
    args: ['--check', '--log-level', 'warn', ...FORMATTED],
    hint: '`npm run format` fixes the formatting',
  },
  { name: 'eslint', command: bin('eslint'), args: ['--max-warnings', '0', '.'] },
];
const ALL = [
  ...LINT,
  tsc('tsconfig.json'),
  tsc('web/tsconfig.json'),
  tsc('test/e2e/tsconfig.json'),
  { name: 'layers', command: process.execPath, args: ['scripts/check-layers.mjs'] },
  { name: 'build', command: process.execPath, args: ['scripts/build.mjs'] },
];

function run({ name, command, args }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: error.message, seconds: 0 }));
    child.on('close', (code) => resolve({ name, code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

const which = process.argv[2];
const checks = which === 'lint' ? LINT : which === 'all' ? ALL : undefined;
if (!checks) {
  process.stderr.write('usage: node scripts/checks.mjs lint|all\n');
  process.exit(2);
}
const started = performance.now();
const results = await Promise.all(checks.map(run));
for (const { name, code, output } of results) {
  if (code !== 0) process.stdout.write(`── ${name} failed ──\n${output.trim() || '(no output)'}\n`);
}
const times = results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(', ');
const failed = results.filter((r) => r.code !== 0);
const total = ((performance.now() - started) / 1000).toFixed(1);
if (failed.length) {
  const hints = failed.flatMap((r) => checks.find((c) => c.name === r.name)?.hint ?? []);
  process.stdout.write(
    `checks failed: ${failed.map((r) => r.name).join(', ')} (${total} s)${hints.length ? `; ${hints.join('; ')}` : ''}\n`,
  );
  process.exit(1);
}
process.stdout.write(`checks ok in ${total} s (${times})\n`);
