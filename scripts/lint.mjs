// `npm run lint`: Prettier's check and ESLint (type-aware) side by side, each on its own core; fails if either does.
import { spawn } from 'node:child_process';
import { FORMATTED } from './formatted.mjs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

function run(name, args) {
  return new Promise((resolve) => {
    const child = spawn(bin(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ name, code, output }));
  });
}

const started = performance.now();
const results = await Promise.all([
  run('prettier', ['--check', '--log-level', 'warn', ...FORMATTED]),
  run('eslint', ['--max-warnings', '0', '.']),
]);
for (const { name, code, output } of results) {
  if (code !== 0) process.stdout.write(`${name}:\n${output || '(no output)'}\n`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failed.length) {
  process.stdout.write(`lint failed (${failed.join(', ')}) in ${seconds} s; \`npm run format\` fixes formatting.\n`);
  process.exit(1);
}
process.stdout.write(`lint ok in ${seconds} s\n`);
