import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuickJsEngine } from '../../src/sandbox/engines/quickjs';
import { newGuardedModule } from '../../src/sandbox/engines/quickjs-module';
import type { SandboxPolicy } from '../../src/sandbox/limits';
import { MAX_RESULT_CHARS } from '../../src/sandbox/protocol';
import { callTool, text } from '../helpers/sandbox';
import { REPO_ROOT, startTestServer } from '../helpers/server';

const DIST = join(REPO_ROOT, 'dist');
const MIB = 1024 * 1024;

/** The engine on this thread, with the built guest bundles, so a test sees each call's `poisoned` and `fault`. */
function engine(): Promise<QuickJsEngine> {
  return QuickJsEngine.create({
    toolsBundle: readFileSync(join(DIST, 'sandbox-guest.js'), 'utf8'),
    resultBundle: readFileSync(join(DIST, 'sandbox-guest-result.js'), 'utf8'),
    lazyBundle: (name) => readFileSync(join(DIST, `sandbox-guest-${name}.js`), 'utf8'),
    fetch: () => ({ ok: false, reason: 'no network in this test', rule: 'network' }),
    exec: () => ({ stdout: '', stderr: '', exitCode: 127 }),
    scan: { begin: () => undefined, end: () => undefined },
  });
}

function policy(limits: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return {
    timeoutMs: 10_000,
    maxMemoryBytes: 64 * MIB,
    maxStackBytes: 256 * 1024,
    fuel: null,
    allowedOutboundHosts: [],
    blockNetworks: [],
    workDir: REPO_ROOT,
    workDirReadOnly: false,
    mounts: [],
    hidden: [],
    writableProtected: [],
    maxWriteBytes: null,
    files: false,
    network: false,
    hostExec: false,
    ...limits,
  };
}

/** Everything written to this process's stderr, the way Emscripten and the sandbox workers write there. */
function watchStderr() {
  const console = vi.spyOn(globalThis.console, 'error');
  const stderr = vi.spyOn(process.stderr, 'write');
  return () => [...console.mock.calls, ...stderr.mock.calls].map((args) => String(args[0]));
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Asynchronous code of each kind, and what the call must give back. */
const ASYNC_CASES: { name: string; code: string; output: unknown }[] = [
  { name: 'await null', code: 'export async function main() { await null; return 1 }', output: 1 },
  {
    name: 'an awaited object',
    code: 'export async function main() { const o = { a: [1, { b: 2 }] }; await Promise.resolve(); return o }',
    output: { a: [1, { b: 2 }] },
  },
  {
    name: 'a chain of awaits',
    code: 'export async function main() { let s = 0; for (let i = 0; i < 50; i++) s += await Promise.resolve(i); return s }',
    output: 1225,
  },
  {
    name: 'top-level await',
    code: 'const x = await Promise.resolve(5); export function main() { return x }',
    output: 5,
  },
  {
    name: 'a rejected promise',
    code: 'export function main() { return Promise.reject(new TypeError("nope")) }',
    output: { error: 'TypeError: nope' },
  },
  {
    name: 'async code that throws',
    code: 'export async function main() { await null; throw new Error("boom") }',
    output: { error: 'Error: boom' },
  },
  {
    name: 'a promise that never settles',
    code: 'export function main() { return new Promise(() => {}) }',
    output: { error: 'Error: the code is waiting for something that will never happen (nothing left to run)' },
  },
];

describe('asynchronous jsexec code', () => {
  it('settles without leaving anything alive: results are right, the module never aborts, nothing is printed', async () => {
    const printed = watchStderr();
    const quickjs = await engine();
    for (const { name, code, output } of ASYNC_CASES) {
      for (let i = 0; i < 25; i++) {
        const { result, poisoned, fault } = quickjs.run({ kind: 'jsexec', code }, policy());
        expect(result.output, name).toMatchObject(output as object);
        expect({ poisoned, fault }, name).toEqual({ poisoned: false, fault: undefined });
      }
    }
    // The module's memory does not grow call after call (QuickJS's own heap never shrinks, so leaks would show).
    expect(quickjs.memoryBytes()).toBeLessThan(32 * MIB);
    expect(printed()).toEqual([]);
  });

  it('reports an async function stopped by the time or memory limit, and its worker goes, without an abort', async () => {
    const printed = watchStderr();
    const quickjs = await engine();
    const timeout = quickjs.run(
      { kind: 'jsexec', code: 'export async function main() { await null; for (;;) {} }' },
      policy({ timeoutMs: 300 }),
    );
    expect(timeout).toMatchObject({ result: { limitHit: 'timeout' }, poisoned: true });
    expect(timeout.fault).toBeUndefined();
    const memory = (await engine()).run(
      { kind: 'jsexec', code: 'export async function main() { await null; let s = "x"; for (;;) s += s }' },
      policy({ maxMemoryBytes: 16 * MIB }),
    );
    expect(memory).toMatchObject({ result: { limitHit: 'memory' }, poisoned: true });
    expect(memory.fault).toBeUndefined();
    expect(printed()).toEqual([]);
  });

  it('keeps a huge result inside the guest: what leaves it is bounded, with its start and end', async () => {
    const quickjs = await engine();
    const { result } = quickjs.run(
      { kind: 'jsexec', code: 'export function main() { return "<" + "x".repeat(12_000_000) + ">" }' },
      policy({ maxMemoryBytes: 256 * MIB }),
    );
    const output = result.output as string;
    expect(JSON.stringify(output).length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(output.startsWith('<xxx')).toBe(true);
    expect(output.endsWith('xxx>')).toBe(true);
    expect(output).toMatch(/characters cut/);
    const thrown = quickjs.run(
      { kind: 'jsexec', code: 'export function main() { throw new Error("e".repeat(12_000_000)) }' },
      policy({ maxMemoryBytes: 256 * MIB }),
    );
    expect(JSON.stringify(thrown.result.output).length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect((thrown.result.output as { error: string }).error).toMatch(/^Error: eee[^]*characters cut/);
  });
});

describe('an aborted QuickJS module', () => {
  it('is reported by its guard instead of printed, so its owner can throw it away', async () => {
    const printed = watchStderr();
    const { module, fault } = await newGuardedModule();
    const runtime = module.newRuntime();
    const context = runtime.newContext();
    context.newObject(); // never disposed: freeing the runtime now fails QuickJS's assertion
    expect(fault()).toBeNull();
    expect(() => {
      context.dispose();
      runtime.dispose();
    }).toThrow();
    expect(fault()).toMatch(/Assertion failed: list_empty/);
    expect(printed()).toEqual([]);
  });
});

describe('asynchronous jsexec through the server', () => {
  it('answers many calls correctly and prints nothing on the server stderr', async () => {
    const printed = watchStderr();
    const s = await startTestServer();
    for (let i = 0; i < 30; i++) {
      const { code, output } = ASYNC_CASES[i % 3]!;
      expect(text(await callTool(s.server.context.runtime, 'jsexec', { code }))).toBe(
        `main() returned: ${JSON.stringify(output, null, 2)}`,
      );
    }
    expect(printed()).toEqual([]);
  });
});

/** jsexec code that swaps JSON.stringify so that the prelude's `__host` call carries `argsJson` as it is. */
function rawHostCall(call: string, argsJson: string): string {
  return `export async function main() {
  const real = JSON.stringify;
  JSON.stringify = () => ${JSON.stringify(argsJson)};
  try { await ${call}; return 'no error'; }
  catch (e) { return { code: e.code, message: e.message }; }
  finally { JSON.stringify = real; }
}`;
}

describe('malformed host calls from the guest', () => {
  it('get an EINVAL error naming the call and field, and the engine keeps serving', async () => {
    const quickjs = await engine();
    const allowed = policy({ files: true, network: true });
    const run = (code: string) => quickjs.run({ kind: 'jsexec', code }, allowed);

    const notJson = run(rawHostCall(`fs.readFile('/package.json')`, 'not json'));
    expect(notJson.result.output).toEqual({ code: 'EINVAL', message: '__host readFile: the arguments are not JSON' });
    expect(notJson.poisoned).toBe(false);

    const badUrl = run(rawHostCall(`fetch('http://example.com')`, '{"url": 5, "maxBytes": 10}'));
    expect(badUrl.result.output).toEqual({
      code: 'EINVAL',
      message: expect.stringMatching(/^__host fetch: invalid arguments: url: .*expected string/),
    });
    expect(badUrl.poisoned).toBe(false);

    const badBody = run(`export async function main() {
  try { await fetch('http://example.com', { body: { not: 'a string' } }); } catch (e) { return e.code; }
}`);
    expect(badBody.result.output).toBe('EINVAL');

    const next = run(`export function main() { return fs.readFile('/package.json').length > 0 }`);
    expect(next.result.output).toBe(true);
  });

  it('leave the pooled worker serving the next call', async () => {
    const s = await startTestServer();
    const runtime = s.server.context.runtime;
    const refused = text(await callTool(runtime, 'jsexec', { code: rawHostCall(`fs.stat('/')`, '[1, 2]') }));
    expect(refused).toContain('EINVAL');
    expect(refused).toContain('__host stat: invalid arguments');
    expect(text(await callTool(runtime, 'jsexec', { code: 'export function main() { return 6 * 7 }' }))).toBe(
      'main() returned: 42',
    );
  });
});
