import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GlobalEvent } from '../../src/contract/global-events';
import { moduleKey } from '../../src/sandbox/wasi/fuel';
import { cachePath, userWasmCacheDir } from '../../src/sandbox/wasi/module-cache';
import { callTool, text } from '../helpers/sandbox';
import { type TestServer, startTestServer } from '../helpers/server';
import { wat } from '../helpers/wasm';

const MIB = 1024 * 1024;

const textInput = {
  type: 'object',
  properties: { text: { type: 'string' } },
  required: ['text'],
  additionalProperties: false,
};

function manifest(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    description: `The ${name} test tool.`,
    permissionLevel: 'read',
    inputSchema: { type: 'object', properties: {} },
    input: { mode: 'stdin' },
    module: 'tool.wasm',
    ...extra,
  };
}

/** Writes a tool folder into the workspace's `.boxagnts/tools/`. */
async function install(
  s: TestServer,
  folder: string,
  files: { manifest?: unknown; manifestText?: string; module?: Uint8Array | string },
) {
  const dir = join(s.workspaceDir, '.boxagnts', 'tools', folder);
  await mkdir(dir, { recursive: true });
  // The module first: the folder becomes a tool once tool.json is there.
  if (files.module !== undefined) await writeFile(join(dir, 'tool.wasm'), files.module);
  if (files.manifest !== undefined || files.manifestText !== undefined)
    await writeFile(join(dir, 'tool.json'), files.manifestText ?? JSON.stringify(files.manifest, null, 2));
  return dir;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const toolNamed = (s: TestServer, name: string) => s.server.context.runtime.allTools().find((t) => t.name === name);

async function ready(s: TestServer, name: string) {
  await until(`tool ${name}`, () => toolNamed(s, name));
  await s.server.context.runtime.extensions.settled();
}

describe('WebAssembly extension tools', () => {
  it('runs the word counter shipped with the product, listed as a built-in extension', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    await runtime.extensions.settled();
    const counted = await callTool(runtime, 'word_count', { text: 'one two\nthree ✓' });
    expect(counted).toMatchObject({
      content: '4 words, 2 lines, 15 characters',
      metadata: { words: 4, lines: 2, characters: 15 },
    });
    expect(counted.isError).toBeUndefined();
    expect((counted.metadata as { fuelUsed: number }).fuelUsed).toBeGreaterThan(0);
    expect(text(await callTool(runtime, 'word_count', { words: 'x' }))).toMatch(/Invalid input for word_count/);
    const list: any = await (await s.fetch('/api/tools')).json();
    expect(list.tools.find((t: any) => t.name === 'word_count')).toMatchObject({
      source: 'extension',
      permissionLevel: 'read',
      inputSchema: { required: ['text'] },
      extension: { origin: 'built-in', folder: 'word-count', state: 'ready' },
    });
    expect(list.problems).toEqual([]);
  });

  it('ships the word counter instrumented, and caches a workspace tool in the user cache, not the workspace', async () => {
    const userCache = userWasmCacheDir(process.env);
    const shipped = await readFile(join(process.cwd(), 'dist', 'extensions', 'word-count', 'word-count.wasm'));
    const builtInKey = moduleKey(shipped);
    expect(existsSync(cachePath(join(process.cwd(), 'dist', 'extensions', '.instrumented'), builtInKey))).toBe(true);
    const s = await startTestServer();
    await install(s, 'echo', { module: await wat('echo-args.wat'), manifest: manifest('echo_args') });
    await ready(s, 'echo_args');
    await ready(s, 'word_count');
    expect(existsSync(cachePath(userCache, builtInKey))).toBe(false);
    const userKey = moduleKey(await readFile(join(s.workspaceDir, '.boxagnts', 'tools', 'echo', 'tool.wasm')));
    expect(existsSync(cachePath(userCache, userKey))).toBe(true);
    expect(existsSync(join(s.workspaceDir, '.boxagnts', 'cache', `wasm-${userKey}.wasm`))).toBe(false);
  });

  it('picks up a tool folder when it appears, changes and goes away, without a restart', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    const seen: GlobalEvent[] = [];
    runtime.hub.global.subscribe((event) => seen.push(event));
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, count: { type: 'integer' } },
      required: ['name'],
      additionalProperties: false,
    };
    const echo = manifest('echo_args', {
      inputSchema: schema,
      input: { mode: 'argv', argv: ['--name={{name}}', '{{count}}', '--flag'] },
    });
    const dir = await install(s, 'echo', { module: await wat('echo-args.wat'), manifest: echo });
    await ready(s, 'echo_args');
    expect(seen.some((e) => e.type === 'tools.changed')).toBe(true);
    expect(text(await callTool(runtime, 'echo_args', { name: 'Zoë ✓ with spaces', count: 3 }))).toBe(
      '--name=Zoë ✓ with spaces\n3\n--flag',
    );
    // A placeholder with no value drops its argument.
    expect(text(await callTool(runtime, 'echo_args', { name: 'x' }))).toBe('--name=x\n--flag');

    await writeFile(join(dir, 'tool.json'), JSON.stringify({ ...echo, description: 'Changed on disk.' }));
    await until('the new description', () => toolNamed(s, 'echo_args')?.description === 'Changed on disk.');
    await rm(dir, { recursive: true });
    await until('the tool to go', () => !toolNamed(s, 'echo_args'));
  });

  it('stops an endless loop by fuel at the same count every run, and by the time limit when fuel is off', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    const spin = await wat('spin.wat');
    await install(s, 'spin', { module: spin, manifest: manifest('spin', { limits: { fuel: 1_000_000 } }) });
    await ready(s, 'spin');
    const runs = [await callTool(runtime, 'spin', {}), await callTool(runtime, 'spin', {})];
    for (const result of runs) {
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/spin stopped: the fuel budget of 1000000 steps ran out/);
      expect(result.metadata).toMatchObject({ limitHit: 'fuel', fuelUsed: 1_000_000 });
    }

    await s.server.context.workspace.settings.patch({ sandbox: { wasmFuel: 'unlimited' } });
    await install(s, 'spin-forever', {
      module: spin,
      manifest: manifest('spin_forever', { limits: { timeoutMs: 700 } }),
    });
    await ready(s, 'spin_forever');
    const started = Date.now();
    const pending = callTool(runtime, 'spin_forever', {});
    // The loop runs in a worker: the server answers meanwhile.
    expect((await s.fetch('/api/health')).status).toBe(200);
    const stopped = await pending;
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(stopped).toMatchObject({ isError: true, metadata: { limitHit: 'timeout', limit: 700 } });
    expect(text(stopped)).toMatch(/time limit of 700 ms/);
  });

  it('fails cleanly when a module grows its memory past the cap', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    await install(s, 'grow', {
      module: await wat('grow.wat'),
      manifest: manifest('grow', { limits: { maxMemoryBytes: 2 * MIB } }),
    });
    await ready(s, 'grow');
    const grown = await callTool(runtime, 'grow', {});
    expect(grown).toMatchObject({ isError: true, metadata: { limitHit: 'memory', limit: 2 * MIB } });
    expect(text(grown)).toMatch(/grow stopped: the memory limit of 2 MB was reached/);
    expect(text(await callTool(runtime, 'word_count', { text: 'still fine' }))).toBe('2 words, 1 line, 10 characters');
  });

  it('gives a module the workspace as / and nothing beyond it', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    await writeFile(join(s.workspaceDir, 'notes.txt'), 'inside the workspace\n');
    const probe = manifest('fs_probe', {
      permissionLevel: 'write',
      inputSchema: {
        type: 'object',
        properties: { op: { enum: ['r', 'w', 'l'] }, path: { type: 'string' } },
        required: ['op', 'path'],
      },
      input: { mode: 'argv', argv: ['{{op}}', '{{path}}'] },
    });
    await install(s, 'probe', { module: await wat('fs-probe.wat'), manifest: probe });
    await ready(s, 'fs_probe');
    expect(text(await callTool(runtime, 'fs_probe', { op: 'r', path: 'notes.txt' }))).toBe('inside the workspace');
    for (const path of ['../../etc/passwd', '.boxagnts/secrets.json', '.boxagnts/settings.json']) {
      const refused = await callTool(runtime, 'fs_probe', { op: 'r', path });
      expect(refused.isError, path).toBe(true);
      expect(text(refused)).not.toMatch(/root:x|providers/);
    }
    expect(text(await callTool(runtime, 'fs_probe', { op: 'l', path: '.' }))).not.toMatch(/\.boxagnts/);
  });

  it('reports each broken tool folder with its reason, and the other tools keep working', async () => {
    const s = await startTestServer();
    const { runtime } = s.server.context;
    const good = await wat('echo-args.wat');
    await install(s, 'trailing-comma', { module: good, manifestText: '{ "name": "x", }' });
    await install(s, 'no-description', { module: good, manifest: { ...manifest('nodesc'), description: undefined } });
    await install(s, 'bad-level', { module: good, manifest: manifest('badlevel', { permissionLevel: 'root' }) });
    await install(s, 'no-module', { manifest: manifest('nomodule') });
    await install(s, 'not-wasm', { module: 'this is not WebAssembly', manifest: manifest('notwasm') });
    await install(s, 'foreign-import', {
      module: await wat('(module (import "env" "abort" (func)) (memory (export "memory") 1) (func (export "_start")))'),
      manifest: manifest('foreign'),
    });
    await install(s, 'clash', { module: good, manifest: manifest('read') });
    await install(s, 'no-manifest', { module: good });
    await install(s, 'fine', { module: good, manifest: manifest('fine') });
    await until(
      'every folder to be reported',
      () => runtime.extensions.problems().length === 8 && runtime.extensions.info().every((e) => e.state === 'ready'),
    );
    const list: any = await (await s.fetch('/api/tools')).json();
    const reasons = Object.fromEntries(list.problems.map((p: any) => [p.folder, p.message]));
    expect(reasons).toEqual({
      'trailing-comma': expect.stringMatching(/tool\.json \(line 1\): invalid JSON: trailing comma/),
      'no-description': expect.stringMatching(/field "description"/),
      'bad-level': expect.stringMatching(/field "permissionLevel"/),
      'no-module': expect.stringMatching(/the module tool\.wasm named in tool\.json is missing/),
      'not-wasm': expect.stringMatching(/tool\.wasm: .*not a valid WebAssembly module/),
      'foreign-import': expect.stringMatching(/imports env\.abort/),
      clash: 'a built-in tool is already named "read"',
      'no-manifest': 'the folder has no tool.json',
    });
    expect(list.problems.every((p: any) => p.origin === 'workspace')).toBe(true);
    expect(list.tools.map((t: any) => t.name)).toEqual(expect.arrayContaining(['fine', 'read', 'word_count']));
    expect(text(await callTool(runtime, 'word_count', { text: 'a b' }))).toBe('2 words, 1 line, 3 characters');
    expect(text(await callTool(runtime, 'read', { file_path: 'nothing-here' }))).toMatch(/File not found/);
  });
});
