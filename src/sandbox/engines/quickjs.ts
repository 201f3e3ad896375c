import { type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule, newQuickJSWASMModule } from 'quickjs-emscripten';
import { type ConfinedFs, FsBridgeError } from '../../fs/confined-fs';
import { type LimitName, type SandboxPolicy, confinedFsFor } from '../limits';
import type { FetchReply, FetchRequest, SandboxJob, SandboxResult } from '../protocol';

/** What the engine needs from the worker: the guest bundles, and the synchronous fetch through the host. */
export interface EngineHost {
  toolsBundle: string;
  /** Large bundles evaluated only when a tool first needs them: the HTML converter, the shell. */
  lazyBundle: (name: LazyBundle) => string;
  fetch(request: FetchRequest): FetchReply;
}

export type LazyBundle = 'html' | 'bash';

/** Which tool needs which lazily loaded bundle. */
const LAZY: Record<string, LazyBundle> = { web_fetch: 'html', bash: 'bash' };

/** Guest errors that mean a limit tripped inside QuickJS. */
function limitFromError(message: string): LimitName | undefined {
  if (/out of memory|string too long|invalid array length|allocation failed/i.test(message)) return 'memory';
  if (/stack overflow|maximum call stack/i.test(message)) return 'stack';
  return undefined;
}

interface CallState {
  /** Set after a memory or stack limit: the WebAssembly module may be left inconsistent, so its worker must go. */
  poisoned: boolean;
  policy: SandboxPolicy;
  deadline: number;
  ticks: number;
  interrupted: LimitName | null;
  /** A refusal by the confiner or the net policy during this call. */
  denied: { limit: 'fs' | 'disk' | 'network'; detail: string } | null;
  fs: ConfinedFs | null;
}

/**
 * Runs guest code in QuickJS (WebAssembly). Our own tool code lives in a warm runtime reused across calls; code from
 * the model (jsexec) always gets a fresh runtime. Every call runs under the policy's memory limit, stack limit,
 * deadline and fuel (interrupt ticks: the same count on every run), and reaches the outside only through `__host`.
 */
export class QuickJsEngine {
  private warm: { runtime: QuickJSRuntime; context: QuickJSContext; loaded: Set<LazyBundle> } | null = null;
  private state: CallState | null = null;

  private constructor(
    private readonly module: QuickJSWASMModule,
    private readonly host: EngineHost,
  ) {}

  static async create(host: EngineHost): Promise<QuickJsEngine> {
    const engine = new QuickJsEngine(await newQuickJSWASMModule(), host);
    engine.warmUp();
    return engine;
  }

  /** Bytes of WebAssembly memory the engine holds; it only grows, so the worker is recycled past a threshold. */
  memoryBytes(): number {
    return this.module.getWasmMemory().buffer.byteLength;
  }

  /** Runs one job. `poisoned` asks the worker to retire itself: the engine must not be trusted with another call. */
  run(job: Extract<SandboxJob, { kind: 'tool' | 'preview' | 'jsexec' }>, policy: SandboxPolicy): { result: SandboxResult; poisoned: boolean } {
    const started = performance.now();
    this.state = {
      poisoned: false,
      policy,
      deadline: Date.now() + policy.timeoutMs,
      ticks: 0,
      interrupted: null,
      denied: null,
      fs: confinedFsFor(policy),
    };
    const state = this.state;
    let result: SandboxResult;
    try {
      result = job.kind === 'jsexec' ? this.runModule(job.code, policy) : this.runTool(job, policy);
    } catch (error) {
      // A WebAssembly trap while handling a limit (memory access out of bounds after an allocation failure).
      if (!(error instanceof Error) || error.name !== 'RuntimeError') throw error;
      result = { output: null, stderr: '', exitCode: 1, fuelUsed: state.ticks, durationMs: 0, limitHit: state.interrupted ?? 'memory' };
      state.poisoned = true;
    } finally {
      this.state = null;
    }
    return { result: { ...result, durationMs: Math.round((performance.now() - started) * 100) / 100 }, poisoned: state.poisoned };
  }

  // ——— runtimes ———

  private newRuntime(): QuickJSRuntime {
    const runtime = this.module.newRuntime();
    runtime.setInterruptHandler(() => {
      const state = this.state;
      if (!state) return false;
      state.ticks += 1;
      if (Date.now() > state.deadline) state.interrupted = 'timeout';
      else if (state.policy.fuel !== null && state.ticks > state.policy.fuel) state.interrupted = 'fuel';
      return state.interrupted !== null;
    });
    return runtime;
  }

  private applyLimits(runtime: QuickJSRuntime, policy: SandboxPolicy): void {
    runtime.setMemoryLimit(policy.maxMemoryBytes);
    runtime.setMaxStackSize(policy.maxStackBytes);
  }

  private warmUp(): void {
    const runtime = this.newRuntime();
    const context = runtime.newContext();
    this.installHost(context);
    this.evalOrThrow(context, PRELUDE, 'prelude.js');
    this.evalOrThrow(context, this.host.toolsBundle, 'tools.js');
    this.warm = { runtime, context, loaded: new Set() };
  }

  private evalOrThrow(context: QuickJSContext, code: string, filename: string): void {
    const result = context.evalCode(code, filename);
    if (result.error) {
      const error = context.dump(result.error) as { message?: string };
      result.error.dispose();
      throw new Error(`${filename} failed to load: ${error?.message ?? 'unknown error'}`);
    }
    result.value.dispose();
  }

  // ——— our tools ———

  private runTool(job: Extract<SandboxJob, { kind: 'tool' | 'preview' }>, policy: SandboxPolicy): SandboxResult {
    if (!this.warm) this.warmUp();
    const { context, runtime, loaded } = this.warm!;
    const lazy = LAZY[job.name];
    if (lazy && !loaded.has(lazy)) {
      // Loaded without the call's limits: it is our own code, and the first call should not pay for it in fuel.
      this.evalOrThrow(context, this.host.lazyBundle(lazy), `${lazy}.js`);
      loaded.add(lazy);
    }
    this.applyLimits(runtime, policy);
    const entry = job.kind === 'preview' ? '__preview' : '__run';
    const fn = context.getProp(context.global, entry);
    const args = [context.newString(job.name), context.newString(JSON.stringify(job.input))];
    const call = context.callFunction(fn, context.undefined, ...args);
    fn.dispose();
    for (const a of args) a.dispose();
    const settled = call.error ? call : this.settle(runtime, context, call.value);
    return this.finish(context, settled);
  }

  // ——— the model's code ———

  private runModule(code: string, policy: SandboxPolicy): SandboxResult {
    const runtime = this.newRuntime();
    this.applyLimits(runtime, policy);
    const context = runtime.newContext();
    let disposed = false;
    const dispose = () => {
      if (disposed || this.state?.poisoned) return;
      disposed = true;
      try {
        context.dispose();
        runtime.dispose();
      } catch {
        // QuickJS asserts when a runtime is freed with objects still alive; the module is not to be trusted after.
        if (this.state) this.state.poisoned = true;
      }
    };
    try {
      this.installHost(context);
      this.evalOrThrow(context, PRELUDE + JSEXEC_PRELUDE, 'prelude.js');
      const loaded = context.evalCode(code, 'main.js', { type: 'module' });
      if (loaded.error) return this.finish(context, loaded);
      const main = context.getProp(loaded.value, 'main');
      let call;
      if (context.typeof(main) === 'function') call = context.callFunction(main, context.undefined);
      else call = { value: context.undefined } as const;
      main.dispose();
      loaded.value.dispose();
      if (call.error) return this.finish(context, call);
      const settled = this.settle(runtime, context, call.value);
      return this.finish(context, settled);
    } finally {
      dispose();
    }
  }

  /** Runs pending jobs until a promise result settles (await inside `main`). */
  private settle(runtime: QuickJSRuntime, context: QuickJSContext, value: QuickJSHandle): { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined } {
    if (context.typeof(value) !== 'object' || !this.isPromise(context, value)) return { value };
    for (;;) {
      const state = context.getPromiseState(value);
      if (state.type === 'fulfilled') return { value: state.value };
      if (state.type === 'rejected') return { error: state.error };
      const jobs = runtime.executePendingJobs();
      if (jobs.error) return { error: jobs.error };
      if (jobs.value === 0 && context.getPromiseState(value).type === 'pending' && !this.fireTimer(context)) {
        return { error: context.newError('the code is waiting for something that will never happen (nothing left to run)') };
      }
    }
  }

  /** Fires the guest's earliest timer, if it has a timer polyfill and a timer; false when there is none. */
  private fireTimer(context: QuickJSContext): boolean {
    const next = context.getProp(context.global, '__nextTimer');
    if (context.typeof(next) !== 'function') {
      next.dispose();
      return false;
    }
    const fired = context.callFunction(next, context.undefined);
    next.dispose();
    if (fired.error) {
      fired.error.dispose();
      return true;
    }
    const result = context.dump(fired.value) === true;
    fired.value.dispose();
    return result;
  }

  private isPromise(context: QuickJSContext, value: QuickJSHandle): boolean {
    const then = context.getProp(value, 'then');
    const is = context.typeof(then) === 'function';
    then.dispose();
    return is;
  }

  // ——— results ———

  private finish(context: QuickJSContext, call: { value?: QuickJSHandle; error?: QuickJSHandle }): SandboxResult {
    const state = this.state!;
    if (call.error) {
      const error = context.dump(call.error) as { name?: string; message?: string; stack?: string } | string | null;
      // When even the exception could not be allocated, QuickJS throws null: the memory limit was reached.
      const message = error === null ? 'out of memory' : typeof error === 'string' ? error : `${error.name ?? 'Error'}: ${error.message ?? ''}`;
      const limit = state.interrupted ?? limitFromError(message);
      if (limit === 'memory' || limit === 'stack') {
        // Past these limits the runtime is not to be touched again: no console, no dispose; the worker is retired.
        state.poisoned = true;
        return { output: null, stderr: '', exitCode: 1, fuelUsed: state.ticks, durationMs: 0, limitHit: limit };
      }
      call.error.dispose();
      const stderr = this.takeConsole(context);
      if (limit) {
        // An interrupted runtime may hold objects its teardown asserts on; the worker goes instead of the runtime.
        state.poisoned = true;
        return { output: null, stderr, exitCode: 1, fuelUsed: state.ticks, durationMs: 0, limitHit: limit };
      }
      return { output: { error: message, stack: typeof error === 'object' ? error?.stack : undefined }, stderr, exitCode: 1, fuelUsed: state.ticks, durationMs: 0, ...this.denial() };
    }
    // Code that catches every error (the shell does) can swallow an interrupt or an allocation failure; the limit
    // still tripped, and is reported as such.
    const swallowed = state.interrupted ?? (this.reportsOutOfMemory(context, call.value!) ? 'memory' : null);
    if (swallowed) {
      state.poisoned = true;
      return { output: null, stderr: '', exitCode: 1, fuelUsed: state.ticks, durationMs: 0, limitHit: swallowed };
    }
    const stderr = this.takeConsole(context);
    const base = { stderr, fuelUsed: state.ticks, durationMs: 0 };
    const value = call.value!;
    const output = context.typeof(value) === 'string' ? tryParse(context.getString(value)) : context.dump(value);
    value.dispose();
    return { ...base, output, exitCode: 0, ...this.denial() };
  }

  /** A result whose error output ends with QuickJS's own allocation-failure message. */
  private reportsOutOfMemory(context: QuickJSContext, value: QuickJSHandle): boolean {
    if (context.typeof(value) !== 'string') return false;
    const output = tryParse(context.getString(value)) as { stderr?: unknown } | null;
    return typeof output?.stderr === 'string' && /(?:^|\n)(?:[\w-]+: )?out of memory\n?$/.test(output.stderr);
  }

  private denial(): Pick<SandboxResult, 'limitHit' | 'limitDetail'> {
    const denied = this.state?.denied;
    return denied ? { limitHit: denied.limit, limitDetail: denied.detail } : {};
  }

  private takeConsole(context: QuickJSContext): string {
    const take = context.getProp(context.global, '__takeConsole');
    if (context.typeof(take) !== 'function') {
      take.dispose();
      return '';
    }
    const result = context.callFunction(take, context.undefined);
    take.dispose();
    if (result.error) {
      result.error.dispose();
      return '';
    }
    const text = context.getString(result.value);
    result.value.dispose();
    return text;
  }

  // ——— the one door out ———

  /**
   * `__host(op, json)`: the guest's only way to reach files and the network. Each call is checked against the
   * policy of the call in progress; refusals come back as errors the guest can report.
   */
  private installHost(context: QuickJSContext): void {
    const fn = context.newFunction('__host', (opHandle, argHandle) => {
      const op = context.getString(opHandle);
      const args = JSON.parse(context.getString(argHandle)) as Record<string, unknown>;
      return context.newString(JSON.stringify(this.hostCall(op, args)));
    });
    context.setProp(context.global, '__host', fn);
    fn.dispose();
  }

  private hostCall(op: string, args: Record<string, unknown>): unknown {
    const state = this.state;
    if (!state) return { error: { code: 'EINVAL', message: 'no call in progress' } };
    if (op === 'sleep') {
      // A real pause of this worker, never past the call's deadline.
      const ms = Math.max(0, Math.min(Number(args.ms) || 0, state.deadline - Date.now()));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return { value: ms };
    }
    if (op === 'fetch') {
      if (!state.policy.network) {
        state.denied = { limit: 'network', detail: 'this tool has no network access' };
        return { error: { code: 'EACCES', message: 'Network access is not allowed for this tool (sandbox policy).' } };
      }
      const remaining = Math.max(0, state.deadline - Date.now());
      const reply = this.host.fetch({ ...(args as unknown as FetchRequest), timeoutMs: Math.min(Number(args.timeoutMs) || remaining, remaining) });
      if (!reply.ok) state.denied = { limit: 'network', detail: `${reply.rule}: ${reply.reason}` };
      return { value: reply };
    }
    const fs = state.fs;
    if (!fs) {
      state.denied = { limit: 'fs', detail: 'this tool has no file access' };
      return { error: { code: 'EACCES', message: 'File access is not allowed for this tool (sandbox policy).' } };
    }
    try {
      const path = String(args.path);
      switch (op) {
        case 'stat':
          return { value: fs.stat(path) };
        case 'readdir':
          return { value: fs.readdir(path) };
        case 'readFile':
          return { value: fs.readFile(path, { as: args.as === 'base64' ? 'base64' : 'text', maxBytes: Number(args.maxBytes) }) };
        case 'writeFile':
          return { value: fs.writeFile(path, String(args.content), { encoding: args.encoding === 'base64' ? 'base64' : 'utf8', append: args.append === true }) };
        case 'mkdir':
          fs.mkdir(path);
          return { value: null };
        case 'rm':
          fs.rm(path, { recursive: args.recursive === true, force: args.force === true });
          return { value: null };
        case 'rename':
          fs.rename(path, String(args.to));
          return { value: null };
        case 'copy':
          fs.copy(path, String(args.to), { recursive: args.recursive === true });
          return { value: null };
        case 'chmod':
          fs.chmod(path, Number(args.mode));
          return { value: null };
        case 'utimes':
          fs.utimes(path, Number(args.atimeMs), Number(args.mtimeMs));
          return { value: null };
        default:
          return { error: { code: 'EINVAL', message: `unknown operation ${op}` } };
      }
    } catch (error) {
      if (error instanceof FsBridgeError) {
        if (error.limit) state.denied = { limit: error.limit, detail: error.message };
        return { error: { code: error.code, message: error.message } };
      }
      throw error;
    }
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Console capture and a `process` stub for bundled libraries that probe it. */
const PRELUDE = `
globalThis.process = { platform: 'linux', env: {}, cwd: () => '/' };
(() => {
  const lines = [];
  let size = 0;
  const LIMIT = 200000;
  const show = (v) => typeof v === 'string' ? v : (() => { try { return JSON.stringify(v); } catch { return String(v); } })();
  const write = (prefix) => (...args) => {
    if (size > LIMIT) return;
    const line = prefix + args.map(show).join(' ');
    size += line.length;
    lines.push(size > LIMIT ? '… console output cut at 200,000 characters' : line);
  };
  globalThis.console = { log: write(''), info: write(''), debug: write(''), warn: write('[warn] '), error: write('[error] ') };
  globalThis.__takeConsole = () => { const text = lines.join('\\n'); lines.length = 0; size = 0; return text; };
})();
`;

/**
 * What the model's code may use beyond the language: \`fs\` and \`fetch\` exist as functions that go through
 * \`__host\`, and so through the policy (which refuses them unless the call was granted files or network).
 */
const JSEXEC_PRELUDE = `
(() => {
  const host = globalThis.__host;
  delete globalThis.__host;
  const call = (op, args) => {
    const reply = JSON.parse(host(op, JSON.stringify(args)));
    if (reply.error) { const e = new Error(reply.error.message); e.code = reply.error.code; throw e; }
    return reply.value;
  };
  globalThis.fs = {
    readFile: (path) => call('readFile', { path, as: 'text', maxBytes: 10485760 }).data,
    writeFile: (path, content) => { call('writeFile', { path, content: String(content) }); },
    readdir: (path) => call('readdir', { path }).map((e) => e.name),
    stat: (path) => call('stat', { path }),
  };
  globalThis.fetch = async (url, init = {}) => {
    const r = call('fetch', { url: String(url), method: init.method, headers: init.headers, body: init.body, maxBytes: 5242880 });
    if (!r.ok) throw new Error('fetch refused: ' + r.rule + ': ' + r.reason);
    return { ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.finalUrl, headers: r.headers,
      text: async () => r.body, json: async () => JSON.parse(r.body) };
  };
})();
`;
