import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfinedFs } from '../../src/fs/confined-fs';
import { type WasiOutcome, runWasi } from '../../src/sandbox/engines/wasi';
import { Confiner } from '../../src/fs/confiner';
import { moduleKey, prepareModule } from '../../src/sandbox/wasi/fuel';
import { instrumentInChild } from '../../src/sandbox/wasi/instrument-process';
import { WASM_PAGE_BYTES, capMemory } from '../../src/sandbox/wasi/memory-cap';
import { userWasmCacheDir } from '../../src/sandbox/wasi/module-cache';
import { wat } from '../helpers/wasm';
import { tempDir } from '../helpers/workspace';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// A plain .mjs script (so scripts/build.mjs can import it without a compile step): typed here.
const BUILD_SCRIPT = new URL('../../scripts/build-extensions.mjs', import.meta.url).href;
type BuildExtensions = (
  root: string,
  options?: { outDir?: string },
) => Promise<{ name: string; wasm: string; bytes: number }[]>;

const ERRNO = { BADF: 8, ISDIR: 31, NOENT: 44, NOTDIR: 54, NOTEMPTY: 55, NOTSUP: 58, ROFS: 69, NOTCAPABLE: 76 };
const MIB = 1024 * 1024;

/** Folders that live for the whole file (the built example, the module cache). */
const scratch = mkdtempSync(join(tmpdir(), 'boxagnts-wasi-'));
const cacheDir = join(scratch, 'cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function prepare(bytes: Uint8Array<ArrayBuffer>, maxMemoryBytes = 16 * MIB) {
  return (await prepareModule(bytes, { maxMemoryBytes, cacheDir })).module;
}

describe('the word-count example', () => {
  let module: WebAssembly.Module;
  let manifest: { name: string; module: string; limits: { fuel: number; maxMemoryBytes: number } };
  let moduleBytes = 0;

  beforeAll(async () => {
    const { buildExtensions } = (await import(BUILD_SCRIPT)) as { buildExtensions: BuildExtensions };
    const outDir = join(scratch, 'extensions');
    const [built] = await buildExtensions(ROOT, { outDir });
    expect(built?.name).toBe('word-count');
    manifest = JSON.parse(readFileSync(join(outDir, 'word-count', 'tool.json'), 'utf8'));
    const bytes = new Uint8Array(readFileSync(join(outDir, 'word-count', manifest.module)));
    moduleBytes = bytes.length;
    module = await prepare(bytes, manifest.limits.maxMemoryBytes);
  });

  const count = (text: string) =>
    runWasi({ module, args: [manifest.name], stdin: JSON.stringify({ text }), fs: null, fuel: manifest.limits.fuel });

  /** What the tool should answer, computed the JavaScript way. */
  function expected(text: string) {
    const chars = [...text];
    const newlines = chars.filter((c) => c === '\n').length;
    return {
      words: text.split(/\s+/).filter(Boolean).length,
      lines: chars.length === 0 ? 0 : newlines + (chars.at(-1) === '\n' ? 0 : 1),
      characters: chars.length,
    };
  }

  it('builds a small module and answers with a tool result', () => {
    expect(moduleBytes).toBeGreaterThan(1000);
    expect(moduleBytes).toBeLessThan(64 * 1024);
    const outcome = count('Hello wide world\nsecond line 🎉');
    expect(outcome).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toEqual({
      content: '6 words, 2 lines, 30 characters',
      metadata: { words: 6, lines: 2, characters: 30 },
    });
  });

  it('counts like JavaScript does, through JSON escapes and Unicode', () => {
    for (const text of [
      '',
      '\n',
      'one',
      '  spaced\tout \r\n\n',
      'quote " and \\ back\u0001slash',
      'é\u00a0non-breaking\u2028line sep',
      '𝄞 surrogates \ud800 lone',
      'a\nb\n',
    ]) {
      const outcome = count(text);
      expect(outcome.exitCode, text).toBe(0);
      expect(JSON.parse(outcome.stdout).metadata, JSON.stringify(text)).toEqual(expected(text));
    }
  });

  it('reports input it cannot read on stderr, with exit code 2', () => {
    const outcome = runWasi({
      module,
      args: ['word_count'],
      stdin: '{"txt": 1}',
      fs: null,
      fuel: manifest.limits.fuel,
    });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/^word_count: /);
    expect(outcome.limitHit).toBeUndefined();
  });

  it('uses the same fuel on every run, metered or not', () => {
    const text = 'the same words '.repeat(500);
    const used = [count(text), count(text), count(text)].map((o) => o.fuelUsed);
    expect(used[0]).toBeGreaterThan(0);
    expect(new Set(used).size).toBe(1);
    expect(
      runWasi({ module, args: ['word_count'], stdin: JSON.stringify({ text }), fs: null, fuel: null }).fuelUsed,
    ).toBe(used[0]);
  });

  it('stops at its fuel budget on a large input', () => {
    const outcome = runWasi({
      module,
      args: ['word_count'],
      stdin: JSON.stringify({ text: 'x '.repeat(100_000) }),
      fs: null,
      fuel: 10_000,
    });
    expect(outcome).toMatchObject({ limitHit: 'fuel', fuelUsed: 10_000, stdout: '' });
  });
});

describe('files through ConfinedFs', () => {
  let probeModule: WebAssembly.Module;
  beforeAll(async () => {
    probeModule = await prepare(await wat('fs-probe.wat'));
  });

  async function workspace() {
    const root = await tempDir();
    const outside = await tempDir('boxagnts-out-');
    const ro = await tempDir('boxagnts-ro-');
    writeFileSync(join(outside, 'secret'), 'S');
    writeFileSync(join(ro, 'r.txt'), 'read only');
    writeFileSync(join(root, 'notes.txt'), 'hello from the workspace\n');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export {}\n');
    mkdirSync(join(root, '.boxagnts'));
    writeFileSync(join(root, '.boxagnts', 'secrets.json'), '{"key":"k"}');
    symlinkSync(join(outside, 'secret'), join(root, 'out-link'));
    symlinkSync(outside, join(root, 'out-dir'));
    const confiner = new Confiner({
      workDir: root,
      mounts: [{ host: ro, guest: '/ro', readOnly: true }],
      hidden: [join(root, '.boxagnts')],
    });
    return { root, outside, ro, fs: new ConfinedFs(confiner) };
  }

  const probe = (fs: ConfinedFs | null, op: string, path: string, stdin = ''): WasiOutcome =>
    runWasi({ module: probeModule, args: ['fs-probe', op, path], stdin, fs, fuel: 10_000_000 });

  it('reads a workspace file and writes new ones', async () => {
    const { root, fs } = await workspace();
    expect(probe(fs, 'r', 'notes.txt')).toEqual({
      stdout: 'hello from the workspace\n',
      stderr: '',
      exitCode: 0,
      fuelUsed: expect.any(Number),
    });
    expect(probe(fs, 'w', 'src/b.txt', 'written by wasm ✓')).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(root, 'src', 'b.txt'), 'utf8')).toBe('written by wasm ✓');
    expect(probe(fs, 'w', 'notes.txt', 'replaced')).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('replaced');
    // Left open by the program: saved when it exits.
    expect(probe(fs, 'W', 'left-open.txt', 'saved at exit')).toMatchObject({ exitCode: 0, stderr: '' });
    expect(readFileSync(join(root, 'left-open.txt'), 'utf8')).toBe('saved at exit');
    expect(probe(fs, 'w', 'données ✓.txt', 'non-ASCII names')).toMatchObject({ exitCode: 0 });
    expect(probe(fs, 'r', 'données ✓.txt').stdout).toBe('non-ASCII names');
    expect(probe(fs, 'd', 'made/')).toMatchObject({ exitCode: 0 });
    expect(lstatSync(join(root, 'made')).isDirectory()).toBe(true);
    expect(probe(fs, 'w', 'missing-folder/x.txt', 'x')).toMatchObject({ exitCode: ERRNO.NOENT });
  });

  it('lists folders without the hidden folder or any symlink', async () => {
    const { fs } = await workspace();
    const outcome = probe(fs, 'l', '.');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.split('\n').filter(Boolean).sort()).toEqual(['.', '..', 'notes.txt', 'src']);
    expect(outcome.limitHit).toBeUndefined();
  });

  it('refuses every way out and reports it as the policy', async () => {
    const { root, ro, fs } = await workspace();
    const refused = (op: string, path: string, errno: number) => {
      const outcome = probe(fs, op, path, 'x');
      expect(outcome, `${op} ${path}`).toMatchObject({ exitCode: errno, stdout: '', limitHit: 'fs' });
      expect(outcome.limitDetail).not.toContain(root);
      return outcome;
    };
    refused('r', '../secret', ERRNO.NOTCAPABLE);
    refused('r', 'src/../../secret', ERRNO.NOTCAPABLE);
    refused('r', 'out-link', ERRNO.NOENT);
    refused('r', 'out-dir/secret', ERRNO.NOENT);
    refused('w', 'out-dir/planted', ERRNO.NOENT);
    expect(refused('r', '.boxagnts/secrets.json', ERRNO.NOENT).limitDetail).toContain('/.boxagnts/secrets.json');
    refused('w', '.boxagnts/secrets.json', ERRNO.NOENT);
    refused('w', 'ro/new.txt', ERRNO.ROFS);
    refused('w', 'ro/r.txt', ERRNO.ROFS);
    refused('d', 'ro/folder', ERRNO.ROFS);
    expect(readFileSync(join(ro, 'r.txt'), 'utf8')).toBe('read only');
    expect(readdirSync(ro)).toEqual(['r.txt']);
    expect(readFileSync(join(root, '.boxagnts', 'secrets.json'), 'utf8')).toBe('{"key":"k"}');
  });

  it('removes and renames files and empty folders, inside the workspace only', async () => {
    const { root, ro, fs } = await workspace();
    const rename = (from: string, to: string) =>
      runWasi({ module: probeModule, args: ['fs-probe', 'm', from, to], stdin: '', fs, fuel: 10_000_000 });
    expect(rename('notes.txt', 'src/moved.txt')).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(root, 'src', 'moved.txt'), 'utf8')).toBe('hello from the workspace\n');
    expect(existsSync(join(root, 'notes.txt'))).toBe(false);
    expect(rename('missing.txt', 'x.txt')).toMatchObject({ exitCode: ERRNO.NOENT });
    expect(rename('src/moved.txt', 'nowhere/x.txt')).toMatchObject({ exitCode: ERRNO.NOENT });
    expect(rename('src/moved.txt', '../escaped.txt')).toMatchObject({ exitCode: ERRNO.NOTCAPABLE, limitHit: 'fs' });
    expect(rename('src/moved.txt', 'ro/in.txt')).toMatchObject({ exitCode: ERRNO.ROFS, limitHit: 'fs' });
    expect(rename('.boxagnts/secrets.json', 'stolen.json')).toMatchObject({ exitCode: ERRNO.NOENT, limitHit: 'fs' });

    expect(probe(fs, 'x', 'src')).toMatchObject({ exitCode: ERRNO.NOTEMPTY });
    expect(probe(fs, 'u', 'src')).toMatchObject({ exitCode: ERRNO.ISDIR });
    expect(probe(fs, 'x', 'src/a.ts')).toMatchObject({ exitCode: ERRNO.NOTDIR });
    expect(probe(fs, 'u', 'src/a.ts')).toMatchObject({ exitCode: 0 });
    expect(probe(fs, 'u', 'src/moved.txt')).toMatchObject({ exitCode: 0 });
    expect(probe(fs, 'x', 'src')).toMatchObject({ exitCode: 0 });
    expect(existsSync(join(root, 'src'))).toBe(false);
    expect(probe(fs, 'u', 'ro/r.txt')).toMatchObject({ exitCode: ERRNO.ROFS, limitHit: 'fs' });
    expect(probe(fs, 'u', 'out-link')).toMatchObject({ exitCode: ERRNO.NOENT, limitHit: 'fs' });
    expect(probe(fs, 'u', '.boxagnts/secrets.json')).toMatchObject({ exitCode: ERRNO.NOENT, limitHit: 'fs' });
    expect(readFileSync(join(ro, 'r.txt'), 'utf8')).toBe('read only');
    expect(lstatSync(join(root, 'out-link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, '.boxagnts', 'secrets.json'), 'utf8')).toBe('{"key":"k"}');
  });

  it('sleeps through poll_oneoff and reports the clock event', async () => {
    const { fs } = await workspace();
    expect(probe(fs, 'z', '30')).toMatchObject({ exitCode: 0 });
  });

  it('never creates symlinks, and a plain missing file is no policy matter', async () => {
    const { root, fs } = await workspace();
    expect(probe(fs, 's', 'link')).toMatchObject({ exitCode: ERRNO.NOTSUP });
    expect(existsSync(join(root, 'link'))).toBe(false);
    const missing = probe(fs, 'r', 'missing.txt');
    expect(missing.exitCode).toBe(ERRNO.NOENT);
    expect(missing.limitHit).toBeUndefined();
  });

  it('preopens nothing when the call has no file access', () => {
    const outcome = probe(null, 'r', 'notes.txt');
    expect(outcome.exitCode).toBe(ERRNO.BADF);
    expect(outcome.limitHit).toBeUndefined();
  });
});

describe('limits', () => {
  it('stops an endless loop by fuel, using the same fuel every time', async () => {
    const module = await prepare(await wat('spin.wat'));
    const runs = [1, 2, 3].map(() => runWasi({ module, args: ['spin'], stdin: '', fs: null, fuel: 1_000_000 }));
    for (const outcome of runs) expect(outcome).toMatchObject({ limitHit: 'fuel', exitCode: 134, fuelUsed: 1_000_000 });
    expect(runs[0]?.trap).toBeUndefined();
  });

  it('fails cleanly when the guest grows its memory past the cap', async () => {
    const module = await prepare(await wat('grow.wat'), 2 * MIB);
    const outcome = runWasi({ module, args: ['grow'], stdin: '', fs: null, fuel: 1_000_000 });
    expect(outcome).toMatchObject({
      limitHit: 'memory',
      trap: 'unreachable',
      exitCode: 134,
      stderr: 'out of memory\n',
    });
    expect(outcome.limitDetail).toContain('2 MiB');
  });

  it('reports a trap that is no limit as a trap', async () => {
    const outOfBounds = await prepare(
      await wat('(module (memory (export "memory") 1) (func (export "_start") (drop (i32.load (i32.const -1)))))'),
    );
    expect(runWasi({ module: outOfBounds, args: ['oob'], stdin: '', fs: null, fuel: 1000 })).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 134,
      fuelUsed: 1,
      trap: 'memory access out of bounds',
    });
    const recursion = await prepare(
      await wat('(module (memory (export "memory") 1) (func $f (call $f)) (func (export "_start") (call $f)))'),
    );
    expect(runWasi({ module: recursion, args: ['deep'], stdin: '', fs: null, fuel: null })).toMatchObject({
      exitCode: 134,
      trap: 'stack overflow',
    });
  });

  it('sizes argv in UTF-8 bytes, as the guest copies it', async () => {
    const sizes = await prepare(
      await wat(`(module
        (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 4)))))`),
    );
    // "tool\0" and "é✓\0": 5 + 6 bytes.
    expect(runWasi({ module: sizes, args: ['tool', 'é✓'], stdin: '', fs: null, fuel: 100 }).exitCode).toBe(11);
  });

  it('caps stdout and says so', async () => {
    const cat = await prepare(
      await wat(`(module
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 64) "0123456789")
        (func (export "_start")
          (i32.store (i32.const 16) (i32.const 64))
          (i32.store (i32.const 20) (i32.const 10))
          (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 12)))))`),
    );
    expect(runWasi({ module: cat, args: ['cat'], stdin: '', fs: null, fuel: null, stdoutLimit: 4 }).stdout).toBe(
      '0123\n… output cut at 4 bytes',
    );
  });
});

describe('capMemory', () => {
  it('sets the maximum, which the engine then enforces', async () => {
    const capped = capMemory(await wat('(module (memory (export "memory") 1 100))'), 2);
    const memory = new WebAssembly.Instance(new WebAssembly.Module(capped)).exports.memory as WebAssembly.Memory;
    expect(memory.grow(1)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
    expect(memory.buffer.byteLength).toBe(2 * WASM_PAGE_BYTES);
  });

  it('refuses a module that needs more than the cap, has no memory, or is no module', async () => {
    expect(() => capMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 4)).toThrow(/defines no memory/);
    const big = await wat('(module (memory 10))');
    expect(() => capMemory(big, 5)).toThrow(/at least 10 pages/);
    expect(() => capMemory(new TextEncoder().encode('not wasm at all'), 4)).toThrow(/header/);
    const imported = await wat('(module (import "env" "memory" (memory 1)) (func (export "_start")))');
    expect(() => capMemory(imported, 4)).toThrow(/defines no memory/);
  });
});

describe('prepareModule', () => {
  it('instruments once per module, and rebuilds a damaged cache entry', async () => {
    const bytes = await wat('spin.wat');
    const dir = join(scratch, 'cache-test');
    const readBinary = vi.spyOn((await import('binaryen')).default, 'readBinary');
    try {
      const first = await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: dir });
      expect(first).toMatchObject({ cached: false, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(readBinary).toHaveBeenCalledTimes(1);
      expect(readdirSync(dir)).toEqual([`wasm-${first.hash}.wasm`]);

      // Another policy, the same instrumented module: only the memory cap is applied again.
      const second = await prepareModule(bytes, { maxMemoryBytes: 4 * MIB, cacheDir: dir });
      expect(second).toMatchObject({ cached: true, hash: first.hash });
      expect(readBinary).toHaveBeenCalledTimes(1);

      const entry = join(dir, `wasm-${first.hash}.wasm`);
      const damaged = readFileSync(entry);
      damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
      writeFileSync(entry, damaged);
      expect(await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: dir })).toMatchObject({
        cached: false,
        hash: first.hash,
      });
      expect(readBinary).toHaveBeenCalledTimes(2);
      writeFileSync(entry, damaged.subarray(0, 20));
      expect(await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: dir })).toMatchObject({ cached: false });
      expect(await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: dir })).toMatchObject({ cached: true });
      expect(readdirSync(dir)).toEqual([`wasm-${first.hash}.wasm`]);
    } finally {
      readBinary.mockRestore();
    }
  });

  it('takes a module the build instrumented from the prebuilt folder, instrumenting and caching nothing', async () => {
    const bytes = await wat('spin.wat');
    const prebuiltDir = join(scratch, 'prebuilt');
    const own = join(scratch, 'cache-prebuilt-test');
    const instrumented = await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: prebuiltDir });
    expect(readdirSync(prebuiltDir)).toEqual([`wasm-${moduleKey(bytes)}.wasm`]);
    const readBinary = vi.spyOn((await import('binaryen')).default, 'readBinary');
    try {
      const prepared = await prepareModule(bytes, { maxMemoryBytes: MIB, cacheDir: own, prebuiltDir });
      expect(prepared).toMatchObject({ cached: true, hash: instrumented.hash });
      expect(readBinary).not.toHaveBeenCalled();
      expect(existsSync(own)).toBe(false);
      // Another module is not in the prebuilt folder: instrumented, and cached in the user's folder only.
      const other = await wat('(module (memory (export "memory") 1) (func (export "_start")))');
      expect(await prepareModule(other, { maxMemoryBytes: MIB, cacheDir: own, prebuiltDir })).toMatchObject({
        cached: false,
      });
      expect(readBinary).toHaveBeenCalledTimes(1);
      expect(readdirSync(own)).toEqual([`wasm-${moduleKey(other)}.wasm`]);
      expect(readdirSync(prebuiltDir)).toEqual([`wasm-${moduleKey(bytes)}.wasm`]);
    } finally {
      readBinary.mockRestore();
    }
  });

  it('keeps the user cache under BOXAGNTS_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(userWasmCacheDir({ BOXAGNTS_CACHE_DIR: '/t/c', XDG_CACHE_HOME: '/x' })).toBe('/t/c/wasm');
    expect(userWasmCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/boxagnts/wasm');
    // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
    expect(userWasmCacheDir({ XDG_CACHE_HOME: 'rel' })).toBe(join(homedir(), '.cache', 'boxagnts', 'wasm'));
    expect(userWasmCacheDir({})).toBe(join(homedir(), '.cache', 'boxagnts', 'wasm'));
  });

  it('refuses modules the host cannot run', async () => {
    const options = { maxMemoryBytes: MIB, cacheDir };
    const foreign = await wat(
      '(module (import "env" "abort" (func)) (memory (export "memory") 1) (func (export "_start")))',
    );
    await expect(prepareModule(foreign, options)).rejects.toThrow(/imports env\.abort/);
    const library = await wat('(module (memory (export "memory") 1) (func (export "run")))');
    await expect(prepareModule(library, options)).rejects.toThrow(/_start/);
    await expect(prepareModule(new TextEncoder().encode('\0asm but no more'), options)).rejects.toThrow(
      /not a valid WebAssembly module/,
    );
    const started = await wat(
      '(module (memory (export "memory") 1) (func $init) (start $init) (func (export "_start")))',
    );
    await expect(prepareModule(started, options)).rejects.toThrow(/start function/);
  });

  it('instruments in a child process: a module that runs on fuel, its refusals, its time limit, and an abort', async () => {
    const script = join(ROOT, 'dist', 'wasm-instrument.js');
    const bytes = await wat('spin.wat');
    const instrument = (b: Uint8Array<ArrayBuffer>) => instrumentInChild(b, { script, timeoutMs: 30_000 });
    const { module } = await prepareModule(bytes, {
      maxMemoryBytes: MIB,
      cacheDir: join(scratch, 'cache-child'),
      instrument,
    });
    expect(runWasi({ module, args: ['spin'], stdin: '', fs: null, fuel: 1000 })).toMatchObject({
      limitHit: 'fuel',
      fuelUsed: 1000,
    });

    const started = await wat(
      '(module (memory (export "memory") 1) (func $init) (start $init) (func (export "_start")))',
    );
    await expect(instrumentInChild(started, { script, timeoutMs: 30_000 })).rejects.toThrow(/start function/);
    await expect(
      instrumentInChild(new TextEncoder().encode('\0asm but no more'), { script, timeoutMs: 30_000 }),
    ).rejects.toThrow(/^not a valid WebAssembly module$/);
    await expect(instrumentInChild(bytes, { script, timeoutMs: 1 })).rejects.toThrow(/took longer than 1 ms/);
    const abort = new AbortController();
    const aborted = instrumentInChild(bytes, { script, timeoutMs: 30_000, signal: abort.signal });
    abort.abort();
    await expect(aborted).rejects.toThrow(/abort/i);
  });

  it('runWasi refuses a module that was not prepared', async () => {
    const raw = new WebAssembly.Module(await wat('spin.wat'));
    expect(() => runWasi({ module: raw, args: ['spin'], stdin: '', fs: null, fuel: 1 })).toThrow(
      /not fuel instrumented/,
    );
  });
});
