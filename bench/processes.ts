import { type ChildProcess, spawn } from 'node:child_process';
import { build } from 'esbuild';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;

/**
 * A TypeScript file run in its own Node process with an IPC channel. It is bundled the way `npm run build` bundles
 * the product (esbuild, packages external), so what is measured is not slowed by compiling TypeScript on the fly.
 * BENCH_PROF=1 adds --cpu-prof (profiles in /tmp/boxagnts-prof).
 */
export async function spawnTs(file: string, env: Record<string, string>): Promise<ChildProcess> {
  // Inside the repository, so the bundle's bare imports resolve to its node_modules.
  const outfile = join(here, '..', 'node_modules', '.cache', 'boxagnts-bench', file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(here, file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  const profile = process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/boxagnts-prof'] : [];
  return spawn(process.execPath, [...profile, outfile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** A mock model server in its own process (`file` prints its URL on stdout). */
export async function startMockProcess(
  env: Record<string, string> = {},
  file = 'mock-model-process.ts',
): Promise<{ url: string; stop(): void }> {
  const proc = await spawnTs(file, env);
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    proc.once('exit', (code) => reject(new Error(`mock exited ${code}`)));
  });
  return { url, stop: () => proc.kill() };
}

/** A temporary workspace whose default model is the mock at `mockUrl`. */
export async function benchWorkspace(mockUrl?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'boxagnts-bench-'));
  await mkdir(join(dir, '.boxagnts'), { recursive: true });
  const settings = mockUrl
    ? {
        providers: { mock: { kind: 'openai-compatible', baseURL: `${mockUrl}/v1`, models: { 'mock-model': {} } } },
        defaultModel: 'mock/mock-model',
        catalog: { refreshUrl: null },
      }
    : { catalog: { refreshUrl: null } };
  await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
  return dir;
}

/**
 * A tree of TypeScript-like files under `src/`, spread over `folders` folders of 40-line files; every tenth file
 * holds `export function request<N>Handler(input: Input)`, the pattern the search benchmarks look for.
 */
export async function makeSourceTree(root: string, files: number, folders: number): Promise<void> {
  for (let d = 0; d < folders; d++) {
    const dir = join(root, 'src', `module${d}`);
    await mkdir(dir, { recursive: true });
    await Promise.all(
      Array.from({ length: files / folders }, (_, f) => {
        const lines = Array.from({ length: 40 }, (_, l) =>
          l === 7 && f % 10 === 0
            ? `export function request${f}Handler(input: Input) {`
            : `  const value${l} = compute(${d}, ${f}, ${l}); // line ${l}`,
        );
        return writeFile(join(dir, `file${f}.ts`), `${lines.join('\n')}\n`);
      }),
    );
  }
}
