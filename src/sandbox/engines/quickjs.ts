import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { z } from 'zod';
import { type ConfinedFs, FsBridgeError } from '../../fs/confined-fs';
import { type LimitName, type SandboxPolicy, confinedFsFor } from '../limits';
import {
  type ExecReply,
  type ExecRequest,
  type FetchReply,
  type FetchRequest,
  MAX_RESULT_CHARS,
  type SandboxJob,
  type SandboxResult,
} from '../protocol';
import { type HostCall, parseHostCall } from '../host-calls';
import { newGuardedModule } from './quickjs-module';
import type { GuestFs } from '../guest/guest-fs';
import { collectFiles } from '../guest/walk';
import { type ScanSignal, matchFile } from '../file-scan';

/** What the engine needs from the worker: the guest bundles, and the synchronous fetch through the host. */
export interface EngineHost {
  toolsBundle: string;
  /** Loaded into every context: encodes each call's result as JSON text of a bounded length (result-entry.ts). */
  resultBundle: string;
  /** Large bundles evaluated only when a tool first needs them: the HTML converter, the shell. */
  lazyBundle: (name: LazyBundle) => string;
  fetch(request: FetchRequest): FetchReply;
  /** Runs a program of this machine in the host tier, through the pool (sandbox/host/). */
  exec(request: ExecRequest): ExecReply;
  /** Tells the pool when a regex scan runs, so that one running away is stopped (file-scan.ts). */
  scan: ScanSignal;
}

export type LazyBundle = 'html' | 'bash';

/** Which tool needs which lazily loaded bundle. */
const LAZY: Record<string, LazyBundle> = { web_fetch: 'html', bash: 'bash' };

/** A thrown value as the guest describes it (`__encodeError`), or as QuickJS dumps it: a stack only when a string. */
const GuestErrorSchema = z.object({ message: z.string(), stack: z.string().optional().catch(undefined) });

/** Guest errors that mean a limit tripped inside QuickJS. */
function limitFromError(message: string): LimitName | undefined {
  if (/out of memory|string too long|invalid array length|allocation failed/i.test(message)) return 'memory';
  if (/stack overflow|maximum call stack/i.test(message)) return 'stack';
  return undefined;
}

/** A guest value's outcome: the value, or what was thrown. Whoever receives it owns (and disposes) the handle. */
type Outcome = { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined };

/** Messages of QuickJS's own limit errors are short: one longer than this is the guest's and is read in the guest. */
const SHORT_MESSAGE = 200;

interface CallState {
  /** Set after a memory or stack limit: the WebAssembly module may be left inconsistent, so its worker must go. */
  poisoned: boolean;
  policy: SandboxPolicy;
  deadline: number;
  /** Steps counted so far, in blocks of STEPS_PER_TICK. */
  steps: number;
  interrupted: LimitName | null;
  /** A refusal by the confiner or the net policy during this call. */
  denied: { limit: 'fs' | 'disk' | 'network'; detail: string } | null;
  fs: ConfinedFs | null;
}

/**
 * QuickJS counts steps (backward jumps, function calls, regex backtracking steps) and calls the interrupt handler
 * once every 10,000 of them (JS_INTERRUPT_COUNTER_INIT); fuel is counted at those calls, so in blocks of this size.
 */
const STEPS_PER_TICK = 10_000;

/**
 * Runs guest code in QuickJS (WebAssembly). Our own tool code lives in a warm runtime reused across calls; code from
 * the model (jsexec) always gets a fresh runtime. Every call runs under the policy's memory limit, stack limit,
 * deadline and fuel (steps counted at each interrupt: the same count on every run), and reaches the outside only
 * through `__host`.
 */
export class QuickJsEngine {
  private warm: { runtime: QuickJSRuntime; context: QuickJSContext; loaded: Set<LazyBundle> } | null = null;
  private state: CallState | null = null;

  private constructor(
    private readonly module: QuickJSWASMModule,
    /** Why the WebAssembly module aborted, once it has: from then on it is not to be used at all. */
    private readonly fault: () => string | null,
    private readonly host: EngineHost,
  ) {}

  static async create(host: EngineHost): Promise<QuickJsEngine> {
    const { module, fault } = await newGuardedModule();
    const engine = new QuickJsEngine(module, fault, host);
    engine.warmUp();
    return engine;
  }

  /** Bytes of WebAssembly memory the engine holds; it only grows, so the worker is recycled past a threshold. */
  memoryBytes(): number {
    return this.module.getWasmMemory().buffer.byteLength;
  }

  /**
   * Runs one job. `poisoned` asks the worker to retire itself: the engine must not be trusted with another call.
   * `fault` says why when the WebAssembly module itself aborted (always a bug of ours, worth a log line).
   */
  run(
    job: Extract<SandboxJob, { kind: 'tool' | 'preview' | 'jsexec' }>,
    policy: SandboxPolicy,
  ): { result: SandboxResult; poisoned: boolean; fault?: string } {
    const started = performance.now();
    this.state = {
      poisoned: false,
      policy,
      deadline: Date.now() + policy.timeoutMs,
      steps: 0,
      interrupted: null,
      denied: null,
      fs: confinedFsFor(policy),
    };
    const state = this.state;
    let result: SandboxResult;
    try {
      result = job.kind === 'jsexec' ? this.runModule(job.code, policy) : this.runTool(job, policy);
    } catch (error) {
      // A WebAssembly trap: the module aborted, or it trapped while handling a limit (memory access out of bounds
      // after an allocation failure).
      if (!(error instanceof Error) || error.name !== 'RuntimeError') throw error;
      result = this.fault()
        ? {
            output: { error: 'the sandbox engine failed; the call did not complete' },
            stderr: '',
            exitCode: 1,
            fuelUsed: state.steps,
            durationMs: 0,
          }
        : {
            output: null,
            stderr: '',
            exitCode: 1,
            fuelUsed: state.steps,
            durationMs: 0,
            limitHit: state.interrupted ?? 'memory',
          };
      state.poisoned = true;
    } finally {
      this.state = null;
    }
    const fault = this.fault();
    return {
      result: { ...result, durationMs: Math.round((performance.now() - started) * 100) / 100 },
      poisoned: state.poisoned || fault !== null,
      ...(fault ? { fault } : {}),
    };
  }

  // ——— runtimes ———

  private newRuntime(): QuickJSRuntime {
    const runtime = this.module.newRuntime();
    runtime.setInterruptHandler(() => {
      const state = this.state;
      if (!state) return false;
      state.steps += STEPS_PER_TICK;
      if (Date.now() > state.deadline) state.interrupted = 'timeout';
      else if (state.policy.fuel !== null && state.steps >= state.policy.fuel) state.interrupted = 'fuel';
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
    this.evalOrThrow(context, this.host.resultBundle, 'result.js');
    this.evalOrThrow(context, this.host.toolsBundle, 'tools.js');
    this.warm = { runtime, context, loaded: new Set() };
  }

  private evalOrThrow(context: QuickJSContext, code: string, filename: string): void {
    const result = context.evalCode(code, filename);
    if (result.error) {
      const error = GuestErrorSchema.safeParse(context.dump(result.error));
      result.error.dispose();
      throw new Error(`${filename} failed to load: ${error.success ? error.data.message : 'unknown error'}`);
    }
    result.value.dispose();
  }

  /**
   * Loads the shell's bundle ahead of its first call (without the call's limits, as `runTool` would), in the worker's
   * idle time. Returns false when it was loaded already.
   */
  loadShell(): boolean {
    if (!this.warm) this.warmUp();
    const { context, loaded } = this.warm!;
    if (loaded.has('bash')) return false;
    this.evalOrThrow(context, this.host.lazyBundle('bash'), 'bash.js');
    loaded.add('bash');
    return true;
  }

  /**
   * Runs one command line that touches nothing outside the guest, so that what a shell's first command pays (the
   * first shell instance, the common commands' first use) is paid before a call needs it. It has no file or network
   * access. Returns whether the engine can still be trusted: a warm-up that trips a limit is a bug of ours.
   */
  warmShell(): boolean {
    this.loadShell();
    const { result, poisoned } = this.run(
      { kind: 'tool', name: 'bash', input: { command: WARM_COMMAND, cwd: '/' } },
      WARM_POLICY,
    );
    return !poisoned && result.exitCode === 0;
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
    // Our tools hand back JSON text (the shell a promise of it).
    return this.finish(context, call.error ? call : this.settle(runtime, context, call.value), { json: true });
  }

  // ——— the model's code ———

  private runModule(code: string, policy: SandboxPolicy): SandboxResult {
    const state = this.state!;
    const runtime = this.newRuntime();
    this.applyLimits(runtime, policy);
    const context = runtime.newContext();
    try {
      this.installHost(context);
      this.evalOrThrow(context, PRELUDE + JSEXEC_PRELUDE, 'prelude.js');
      // A module with top-level await evaluates to a promise of its namespace.
      const loaded = context.evalCode(code, 'main.js', { type: 'module' });
      const namespace = loaded.error ? loaded : this.settle(runtime, context, loaded.value);
      if (namespace.error) return this.finish(context, namespace, { json: false });
      const main = context.getProp(namespace.value, 'main');
      namespace.value.dispose();
      const call: Outcome =
        context.typeof(main) === 'function'
          ? context.callFunction(main, context.undefined)
          : { value: context.undefined };
      main.dispose();
      return this.finish(context, call.error ? call : this.settle(runtime, context, call.value), { json: false });
    } finally {
      // Past a limit the runtime is not touched again: the worker is retired with it.
      if (!state.poisoned) this.dispose(context, runtime);
    }
  }

  /**
   * Frees a runtime. QuickJS aborts the whole module when a runtime is freed with objects still alive (a handle we
   * failed to dispose): the call's result stands, and the module's fault retires the worker.
   */
  private dispose(context: QuickJSContext, runtime: QuickJSRuntime): void {
    try {
      context.dispose();
      runtime.dispose();
    } catch (error) {
      if (!this.fault()) throw error;
    }
  }

  /**
   * Runs the guest's pending jobs (its awaits) and timers until `value` settles, if it is a promise. Takes over the
   * handle: the promise is disposed here and only its outcome is handed back.
   */
  private settle(runtime: QuickJSRuntime, context: QuickJSContext, value: QuickJSHandle): Outcome {
    for (;;) {
      const state = context.getPromiseState(value);
      if (state.type === 'fulfilled' && state.notAPromise) return { value };
      if (state.type !== 'pending') {
        value.dispose();
        return state.type === 'fulfilled' ? { value: state.value } : { error: state.error };
      }
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        value.dispose();
        return { error: jobs.error };
      }
      if (jobs.value === 0 && !this.fireTimer(context)) {
        value.dispose();
        return {
          error: context.newError('the code is waiting for something that will never happen (nothing left to run)'),
        };
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

  // ——— results ———

  /**
   * The call's result from its outcome. `json` says whether the value is JSON text already (our tools') or any
   * value (the model's). Takes over the outcome's handle.
   */
  private finish(
    context: QuickJSContext,
    call: { value?: QuickJSHandle; error?: QuickJSHandle },
    { json }: { json: boolean },
  ): SandboxResult {
    const state = this.state!;
    if (call.error) return this.failure(context, call.error);
    if (state.interrupted) {
      // Code that catches every error (the shell does) can swallow an interrupt; the limit still tripped.
      state.poisoned = true;
      return {
        output: null,
        stderr: '',
        exitCode: 1,
        fuelUsed: state.steps,
        durationMs: 0,
        limitHit: state.interrupted,
      };
    }
    const encoded = this.encode(context, call.value!, json);
    if (encoded.error) return this.failure(context, encoded.error);
    const output = encoded.text === undefined ? undefined : tryParse(encoded.text);
    if (reportsOutOfMemory(output)) {
      // The same for an allocation failure the shell caught and printed.
      state.poisoned = true;
      return { output: null, stderr: '', exitCode: 1, fuelUsed: state.steps, durationMs: 0, limitHit: 'memory' };
    }
    return {
      output,
      stderr: this.takeConsole(context),
      exitCode: 0,
      fuelUsed: state.steps,
      durationMs: 0,
      ...this.denial(),
    };
  }

  /** What was thrown, as the call's result: the limit that tripped, or the guest's error. Takes over the handle. */
  private failure(context: QuickJSContext, error: QuickJSHandle): SandboxResult {
    const state = this.state!;
    const limit = state.interrupted ?? limitFromError(this.shortMessage(context, error));
    if (limit === 'memory' || limit === 'stack') {
      // Past these limits the runtime is not to be touched again: no console, no dispose; the worker is retired.
      state.poisoned = true;
      return { output: null, stderr: '', exitCode: 1, fuelUsed: state.steps, durationMs: 0, limitHit: limit };
    }
    if (limit) {
      error.dispose();
      // An interrupted runtime is left to its worker, which is retired, rather than freed mid-call.
      state.poisoned = true;
      return {
        output: null,
        stderr: this.takeConsole(context),
        exitCode: 1,
        fuelUsed: state.steps,
        durationMs: 0,
        limitHit: limit,
      };
    }
    const output = this.describeError(context, error);
    return {
      output,
      stderr: this.takeConsole(context),
      exitCode: 1,
      fuelUsed: state.steps,
      durationMs: 0,
      ...this.denial(),
    };
  }

  /**
   * The message of a thrown value when it is short enough to be one of QuickJS's own (out of memory, stack
   * overflow), read without running guest code: after those limits none may run. When even the exception could
   * not be allocated, QuickJS throws null: the memory limit was reached.
   */
  private shortMessage(context: QuickJSContext, error: QuickJSHandle): string {
    if (context.sameValue(error, context.null)) return 'out of memory';
    const read = (handle: QuickJSHandle) =>
      stringLength(context, handle) <= SHORT_MESSAGE ? context.getString(handle) : '';
    if (context.typeof(error) !== 'object') return read(error);
    const message = context.getProp(error, 'message');
    const text = read(message);
    message.dispose();
    return text;
  }

  /**
   * The guest's error as the result shows it. Its message may be huge, so it is read in the guest and bounded like
   * a result (result-entry.ts). Takes over the handle.
   */
  private describeError(context: QuickJSContext, error: QuickJSHandle): { error: string; stack?: string } {
    this.loadEncoder(context);
    const call = this.callGuest(context, '__encodeError', error);
    error.dispose();
    if (call.error) {
      call.error.dispose();
      return { error: 'the code threw a value that cannot be read' };
    }
    const described = GuestErrorSchema.safeParse(tryParse(this.boundedText(context, call.value) ?? ''));
    if (!described.success) return { error: 'the code threw a value that cannot be read' };
    const { message, stack } = described.data;
    return { error: message, ...(stack === undefined ? {} : { stack }) };
  }

  /**
   * The result as JSON text of at most MAX_RESULT_CHARS, encoded in the guest so that the host never copies more
   * than that. The model's code could replace the encoder: it would only spoil its own result, and the length is
   * checked here all the same. Takes over the handle.
   */
  private encode(
    context: QuickJSContext,
    value: QuickJSHandle,
    json: boolean,
  ): { text: string | undefined; error?: undefined } | { error: QuickJSHandle; text?: undefined } {
    const flag = json ? context.true : context.false;
    // Most results fit as they are: QuickJS's own JSON.stringify says so, and the full encoder is loaded only if not.
    let call = this.callGuest(context, '__encodeQuick', value, flag);
    if (!call.error && context.typeof(call.value) === 'object' && context.sameValue(call.value, context.null)) {
      call.value.dispose();
      this.loadEncoder(context);
      call = this.callGuest(context, '__encodeResult', value, flag);
    }
    value.dispose();
    if (call.error) return { error: call.error };
    if (context.typeof(call.value) === 'undefined') {
      call.value.dispose();
      return { text: undefined };
    }
    const text = this.boundedText(context, call.value);
    return text === undefined
      ? {
          error: context.newError(
            `the result could not be encoded in ${MAX_RESULT_CHARS.toLocaleString('en')} characters`,
          ),
        }
      : { text };
  }

  /** Evaluates result-entry.ts in the context, once: most calls of the model's code never need it. */
  private loadEncoder(context: QuickJSContext): void {
    const loaded = context.getProp(context.global, '__encodeResult');
    const missing = context.typeof(loaded) !== 'function';
    loaded.dispose();
    if (missing) this.evalOrThrow(context, this.host.resultBundle, 'result.js');
  }

  /** Calls a result encoder (the prelude's, or result-entry.ts's) with `args` and the size bound; the caller disposes the outcome. */
  private callGuest(context: QuickJSContext, name: string, ...args: QuickJSHandle[]): Outcome {
    const fn = context.getProp(context.global, name);
    const max = context.newNumber(MAX_RESULT_CHARS);
    const call = context.callFunction(fn, context.undefined, ...args, max);
    fn.dispose();
    max.dispose();
    return call.error ? { error: call.error } : { value: call.value };
  }

  /** A guest string of at most MAX_RESULT_CHARS, copied out; undefined for anything else. Takes over the handle. */
  private boundedText(context: QuickJSContext, handle: QuickJSHandle): string | undefined {
    const fits = stringLength(context, handle) <= MAX_RESULT_CHARS;
    const text = fits ? context.getString(handle) : undefined;
    handle.dispose();
    return text;
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
      const parsed = parseHostCall(context.getString(opHandle), context.getString(argHandle));
      const reply =
        'call' in parsed ? this.hostCall(parsed.call) : { error: { code: 'EINVAL', message: parsed.invalid } };
      return context.newString(JSON.stringify(reply));
    });
    context.setProp(context.global, '__host', fn);
    fn.dispose();
  }

  private hostCall(call: HostCall): unknown {
    const state = this.state;
    if (!state) return { error: { code: 'EINVAL', message: 'no call in progress' } };
    if (call.op === 'sleep') {
      // A real pause of this worker, never past the call's deadline.
      const ms = Math.max(0, Math.min(call.args.ms || 0, state.deadline - Date.now()));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return { value: ms };
    }
    if (call.op === 'fetch') {
      if (!state.policy.network) {
        state.denied = { limit: 'network', detail: 'this tool has no network access' };
        return { error: { code: 'EACCES', message: 'Network access is not allowed for this tool (sandbox policy).' } };
      }
      const remaining = Math.max(0, state.deadline - Date.now());
      const reply = this.host.fetch({
        ...call.args,
        timeoutMs: Math.min(call.args.timeoutMs || remaining, remaining),
      });
      if (!reply.ok) state.denied = { limit: 'network', detail: `${reply.rule}: ${reply.reason}` };
      return { value: reply };
    }
    if (call.op === 'exec') {
      // Only the shell may reach the host tier, and only when its call was given it: the model's own JavaScript never.
      if (!state.policy.hostExec)
        return { error: { code: 'EACCES', message: 'Programs of this machine are not available to this tool.' } };
      return { value: this.host.exec(call.args) };
    }
    const fs = state.fs;
    if (!fs) {
      state.denied = { limit: 'fs', detail: 'this tool has no file access' };
      return { error: { code: 'EACCES', message: 'File access is not allowed for this tool (sandbox policy).' } };
    }
    try {
      return { value: fileCall(fs, call, this.host.scan) };
    } catch (error) {
      if (error instanceof FsBridgeError) {
        if (error.limit) state.denied = { limit: error.limit, detail: error.message };
        return { error: { code: error.code, message: error.message } };
      }
      throw error;
    }
  }
}

/**
 * The confined file system as the guest tools' walk sees it, so the walk runs here with the very code the guest
 * would run (walk.ts, gitignore.ts), at native speed and without a trip per folder.
 */
function guestView(fs: ConfinedFs, scan: ScanSignal): GuestFs {
  const view: GuestFs = {
    walk: (folder) => collectFiles(view, folder),
    match: (path, pattern, flags) => matchFile(fs, { path, pattern, flags }, scan),
    stat: (path) => fs.stat(path),
    readdir: (path) => fs.readdir(path),
    readFile: (path, options) => fs.readFile(path, options),
    writeFile: (path, content) => fs.writeFile(path, content, { encoding: 'utf8', append: false }),
  };
  return view;
}

/** Runs one of the guest's file operations on the call's confined file system; throws its refusals. */
function fileCall(
  fs: ConfinedFs,
  call: Exclude<HostCall, { op: 'sleep' | 'fetch' | 'exec' }>,
  scan: ScanSignal,
): unknown {
  const { op, args } = call;
  switch (op) {
    case 'matchFile':
      return matchFile(fs, args, scan);
    case 'walk':
      return collectFiles(guestView(fs, scan), args.path);
    case 'stat':
      return fs.stat(args.path);
    case 'readdir':
      return fs.readdir(args.path);
    case 'readFile':
      return fs.readFile(args.path, { as: args.as ?? 'text', maxBytes: args.maxBytes });
    case 'writeFile':
      return fs.writeFile(args.path, args.content, {
        encoding: args.encoding ?? 'utf8',
        append: args.append === true,
      });
    case 'mkdir':
      fs.mkdir(args.path);
      return null;
    case 'rm':
      fs.rm(args.path, { recursive: args.recursive === true, force: args.force === true });
      return null;
    case 'rename':
      fs.rename(args.path, args.to);
      return null;
    case 'copy':
      fs.copy(args.path, args.to, { recursive: args.recursive === true });
      return null;
    case 'chmod':
      fs.chmod(args.path, args.mode);
      return null;
    case 'utimes':
      fs.utimes(args.path, args.atimeMs, args.mtimeMs);
      return null;
  }
}

/** The length of a guest string, read without copying it; Infinity for anything else. */
function stringLength(context: QuickJSContext, handle: QuickJSHandle): number {
  if (context.typeof(handle) !== 'string') return Infinity;
  const length = context.getProp(handle, 'length');
  const n = context.getNumber(length);
  length.dispose();
  return n;
}

/** A result whose error output ends with QuickJS's own allocation-failure message (the shell prints it). */
function reportsOutOfMemory(output: unknown): boolean {
  // Checked by hand, not by a schema: this runs on every call, and almost every result has no stderr at all.
  if (typeof output !== 'object' || output === null || !('stderr' in output)) return false;
  return typeof output.stderr === 'string' && /(?:^|\n)(?:[\w-]+: )?out of memory\n?$/.test(output.stderr);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The warm-up's command line: the commands most shell steps use, on text of its own. */
const WARM_COMMAND =
  "printf 'b a\\na b\\n' | grep -c a | sed 's/2/x/' | awk '{ print $1 }' | sort | uniq | head -n 1 | cut -c1 | tr x y | wc -l";

/** Nothing to reach, generous limits: the warm-up is our own code. */
const WARM_POLICY: SandboxPolicy = {
  timeoutMs: 10_000,
  maxMemoryBytes: 256 * 1024 * 1024,
  maxStackBytes: 1024 * 1024,
  fuel: null,
  allowedOutboundHosts: [],
  blockNetworks: [],
  workDir: '/',
  workDirReadOnly: false,
  mounts: [],
  hidden: [],
  writableProtected: [],
  maxWriteBytes: null,
  files: false,
  network: false,
  hostExec: false,
};

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
globalThis.__encodeQuick = (value, json, max) => {
  const text = json ? String(value) : JSON.stringify(value);
  return text === undefined || text.length <= max ? text : null;
};
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
