import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The packages of the generated monorepo; `core` holds the files the scripted session reads and edits. */
export const PACKAGES = [
  'core',
  'api',
  'cli',
  'web',
  'db',
  'auth',
  'billing',
  'search',
  'events',
  'jobs',
  'mail',
  'storage',
  'ui-kit',
  'utils',
];
const FOLDERS = ['handlers', 'models', 'services', 'utils', 'routes', 'lib'];
const FILES_PER_FOLDER = 37;
const TESTS_PER_PACKAGE = 27;

/** The file the session reads and edits, and the one line of it that the edit replaces. */
export const CONFIG_FILE = 'packages/core/src/config.ts';
export const CONFIG_LINE = 'export const DEFAULT_TIMEOUT_MS = 5_000;';
export const CONFIG_SOURCE = [
  "import type { Settings } from './models/model0';",
  '',
  '/** How long a request may take before it is abandoned. */',
  CONFIG_LINE,
  'export const MAX_RETRIES = 3;',
  '',
  'export function withDefaults(settings: Partial<Settings>): Settings {',
  '  return { timeoutMs: DEFAULT_TIMEOUT_MS, retries: MAX_RETRIES, ...settings } as Settings;',
  '}',
  '',
].join('\n');

/** The regex the session greps for: handler functions, in about one file of eight. */
export const HANDLER_PATTERN = String.raw`export (async )?function \w+Handler\(`;

/** A small deterministic generator (mulberry32), so every run builds the same tree. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['user', 'order', 'invoice', 'session', 'token', 'event', 'record', 'payload', 'cache', 'queue'];

/** A TypeScript module of 60 to 220 lines (2–8 KB): imports, an interface, functions, sometimes a handler. */
function tsModule(next: () => number, name: string, withHandler: boolean): string {
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]!;
  const lines = [
    "import { z } from 'zod';",
    `import type { Context } from '../lib/lib${Math.floor(next() * FILES_PER_FOLDER)}';`,
    '',
    `export interface ${name}Options {`,
    ...Array.from({ length: 3 + Math.floor(next() * 5) }, () => `  ${pick()}Id?: string;`),
    '}',
    '',
  ];
  if (withHandler) {
    lines.push(
      `export async function ${name}Handler(ctx: Context, options: ${name}Options): Promise<void> {`,
      `  const ${pick()} = await ctx.load(options);`,
      "  ctx.log.info('handled', { name: '" + name + "' });",
      '}',
      '',
    );
  }
  const target = 60 + Math.floor(next() * 160);
  for (let f = 0; lines.length < target; f++) {
    const word = pick();
    lines.push(
      `/** Turns a raw ${word} into the shape the ${name} code expects. */`,
      `export function ${word}${f}(input: unknown, ctx: Context): ${name}Options {`,
      `  const parsed = z.object({ ${word}Id: z.string() }).parse(input);`,
      `  if (parsed.${word}Id.length > ${Math.floor(next() * 100)}) ctx.log.warn('long ${word} id');`,
      `  return { ${word}Id: parsed.${word}Id };`,
      '}',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A TypeScript monorepo of 3,500 source files (14 packages × 250 `.ts` files), with what a real one carries besides
 * and a tool must skip: a `.gitignore`, built `dist/` folders it names, a `node_modules` and a `.git` folder.
 * Deterministic: the same tree every time.
 */
export async function makeMonorepo(root: string): Promise<{ tsFiles: number }> {
  const files = new Map<string, string>();
  const next = random(13);
  files.set('.gitignore', 'node_modules/\ndist/\ncoverage/\n*.log\n');
  files.set('package.json', JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }, null, 2));
  files.set('tsconfig.base.json', JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext' } }, null, 2));
  files.set('README.md', '# monorepo\n\nFourteen packages; `npm test` in each.\n');
  files.set('build.log', 'ignored by .gitignore\n');
  let tsFiles = 0;
  const ts = (path: string, source: string) => {
    files.set(path, source);
    tsFiles += 1;
  };
  for (const pkg of PACKAGES) {
    const base = `packages/${pkg}`;
    files.set(
      `${base}/package.json`,
      JSON.stringify({ name: `@mono/${pkg}`, version: '1.0.0', main: 'dist/index.js' }),
    );
    files.set(`${base}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json' }));
    files.set(`${base}/README.md`, `# @mono/${pkg}\n`);
    for (const folder of FOLDERS) {
      for (let i = 0; i < FILES_PER_FOLDER; i++) {
        const name = `${folder}${i}`;
        ts(
          `${base}/src/${folder}/${name}.ts`,
          tsModule(
            next,
            name.replace(/^./, (c) => c.toUpperCase()),
            next() < 0.125,
          ),
        );
      }
    }
    const exports = FOLDERS.map((folder) => `export * from './${folder}/${folder}0';`).join('\n');
    ts(`${base}/src/index.ts`, `${exports}\n`);
    if (pkg === 'core') ts(CONFIG_FILE, CONFIG_SOURCE);
    else ts(`${base}/src/version.ts`, `export const VERSION = '1.0.0';\n`);
    for (let i = 0; i < TESTS_PER_PACKAGE - 1; i++) {
      ts(`${base}/test/case${i}.test.ts`, `import { it } from 'vitest';\n\nit('case ${i}', () => {});\n`);
    }
    // Built output that .gitignore excludes.
    for (let i = 0; i < 5; i++) files.set(`${base}/dist/chunk${i}.js`, 'export {};\n');
  }
  for (let p = 0; p < 20; p++) {
    for (let i = 0; i < 15; i++)
      files.set(`node_modules/dep${p}/lib/file${i}.d.ts`, 'export declare const x: number;\n');
  }
  files.set('.git/HEAD', 'ref: refs/heads/main\n');
  files.set('.git/config', '[core]\n\trepositoryformatversion = 0\n');
  for (let i = 0; i < 40; i++) files.set(`.git/objects/${(i * 7).toString(16).padStart(2, '0')}/obj${i}`, 'x');

  const folders = new Set([...files.keys()].map((path) => dirname(join(root, path))));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  const entries = [...files];
  // In slices: thousands of writes at once would only queue up in libuv's four threads and use memory.
  for (let i = 0; i < entries.length; i += 256) {
    await Promise.all(entries.slice(i, i + 256).map(([path, source]) => writeFile(join(root, path), source)));
  }
  return { tsFiles };
}
