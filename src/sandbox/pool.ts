import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorMessage } from '../fs/errors';
import type { SandboxPolicy } from './limits';
import {
  BRIDGE_MAX_BYTES,
  BRIDGE_READY,
  BRIDGE_STATE,
  type ExecReply,
  type ExecRequest,
  type FetchReply,
  type FetchRequest,
  type FromWorker,
  FromWorkerSchema,
  type SandboxJob,
  type SandboxResult,
} from './protocol';
import type { HostAuthority } from './host/command';
import { CONTROL_SCANNING, CONTROL_SCAN_SEQ, CONTROL_WORDS, SCAN_BUDGET_MS } from './file-scan';

/** How often a call's regex scan is checked against its budget. */
const SCAN_CHECK_MS = 100;
/** Workers kept started once a run has made its first call: one for the shell, one for the other tools. */
const STANDBY = 2;
/** What a worker is taken to hold before it has said (a warmed worker holds about 46 MB here). */
const UNMEASURED_WORKER_BYTES = 48 * 1024 * 1024;
/**
 * How long a call waits for a busy worker before one more is started for it. Most calls are done sooner than a new
 * worker is ready (about 250 ms here), so a parallel turn queues briefly instead of paying for and keeping a worker.
 */
const OVERFLOW_WAIT_MS = 120;

export interface PoolOptions {
  /** The built worker entry and guest bundles (dist/). */
  workerFile: string;
  toolsBundle: string;
  resultBundle: string;
  lazyBundles: Record<'html' | 'bash', string>;
  /** Where WebAssembly tools' instrumented modules are cached. */
  wasmCacheDir: string;
  /** The product's own tools, instrumented by the build (read only). */
  wasmPrebuiltDir: string;
  /** The script that fuel-instruments a module in a child process (dist/wasm-instrument.js). */
  wasmInstrumentScript: string;
  size: number;
  /** Worker stack in MB; QuickJS's stack limit must stay under a quarter of it. */
  stackSizeMb: number;
  /**
   * What the workers may hold together (read each time: a setting). A worker is started only while the others and
   * it fit, and one whose memory passes its share (the budget over the workers started) is replaced between calls.
   */
  memoryBudgetBytes: () => number;
  /** Time over the policy's deadline before the worker is terminated (the engine's own deadline comes first). */
  killGraceMs: number;
  /** Idle workers are ended after this long, giving their memory back (read each time: a setting). */
  idleMs: () => number;
  /** The pool has ended idle workers and runs nothing: a good time to collect the process's garbage. */
  onIdle?: () => void;
  logger: Logger;
  /** Performs a guest's fetch under the call's policy; provided by the sandbox service. */
  fetch(request: FetchRequest, policy: SandboxPolicy, signal: AbortSignal): Promise<FetchReply>;
  /** Runs a program of this machine for the shell, as the call's authority allows; provided by the sandbox service. */
  exec(
    request: ExecRequest,
    call: { policy: SandboxPolicy; host: HostAuthority },
    signal: AbortSignal,
  ): Promise<ExecReply>;
}

interface Job {
  id: number;
  /** When the call was queued (performance.now()). */
  queuedAt: number;
  job: SandboxJob;
  policy: SandboxPolicy;
  signal: AbortSignal | undefined;
  /** What decides the call's programs of this machine; absent, it runs none. */
  host: HostAuthority | undefined;
  /** Aborted when the call ends, however it ends: what it started on the main thread stops with it. */
  ended: AbortController;
  resolve(result: SandboxResult): void;
}

interface Slot {
  worker: Worker;
  /** Native stack of this worker: what bounds a WebAssembly tool's recursion, and QuickJS's headroom. */
  stackSizeMb: number;
  ready: Promise<void>;
  control: Int32Array;
  /** Where the replies of the synchronous bridge are posted. */
  bridge: MessagePort;
  busy: Job | null;
  /** What the worker last said it holds (its V8 heap and QuickJS's memory). */
  memoryBytes: number;
  idleTimer: NodeJS.Timeout | null;
  /** What the worker has loaded ahead of need (only workers of the QuickJS stack size are warmed). */
  loaded: 'none' | 'engine' | 'shell';
  /** A warm-up is under way: a call given to the worker waits for the step in progress. */
  warming: boolean;
}

/** What a call needs loaded to start at once: the shell's bundle for the shell, QuickJS for every other guest call. */
function needs(job: SandboxJob): Slot['loaded'] {
  if (job.kind === 'wasi') return 'none';
  return job.kind === 'tool' && job.name === 'bash' ? 'shell' : 'engine';
}

const LEVEL = { none: 0, engine: 1, shell: 2 } as const;

/**
 * Which idle worker a call prefers (lowest first): one that has what it needs, then one busy loading (it may be
 * loading just that), then one that has less, then one that has nothing.
 */
function preference(slot: Slot, need: Slot['loaded']): number {
  if (slot.warming) return 1;
  if (LEVEL[slot.loaded] >= LEVEL[need]) return 0;
  return slot.loaded === 'none' ? 3 : 2;
}

/**
 * Workers that run sandboxed calls, one call per worker at a time. A call that overruns its deadline, or whose run
 * is cancelled, is stopped by terminating its worker (this works even inside a tight WebAssembly loop) and the
 * worker is replaced; so is a worker after an engine failure or once its memory passes the ceiling.
 *
 * Workers are started ahead of need and warmed in their idle time (QuickJS and our tools loaded, then the shell's
 * bundle evaluated and its first command run), so that calls do not pay a cold start: `prestart` asks for some at
 * once, and after the first call STANDBY workers are kept. The shell is warmed only while another worker is free for
 * the other tools, so that a glob never waits for a shell to load. A call that finds every worker busy waits
 * OVERFLOW_WAIT_MS for one before another is started, up to the pool's size and within its memory budget. Idle
 * workers are ended after `idleMs`: down to one while calls are expected (a run is under way), to none otherwise.
 */
export class SandboxPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** How many workers to keep started and warm. */
  private target = 0;
  private used = false;
  /** Set when a warm-up failed: a bug of ours, not worth a loop of workers failing the same way. */
  private warmBroken = false;
  private readonly onSettled: (() => void)[] = [];
  private overflowTimer: NodeJS.Timeout | null = null;
  /** Calls are expected (a run is under way): one idle worker is kept however long it idles. */
  private expecting = false;
  private spawned = 0;

  constructor(private readonly options: PoolOptions) {}

  /** Starts (up to the pool's size) `count` workers and warms them in the background; returns at once. */
  prestart(count: number): void {
    this.target = Math.max(this.target, Math.min(count, this.options.size));
    this.fill();
  }

  /**
   * Says whether calls are expected. While they are, one idle worker stays warm, however long the model thinks; once
   * they are not, idle workers all end after `idleMs` and the pool holds no memory.
   */
  expectCalls(expected: boolean): void {
    this.expecting = expected;
    if (!expected) for (const slot of this.slots) if (!slot.busy && !slot.warming) this.idle(slot);
  }

  /** How many workers are started: each holds its engine's memory. */
  get workers(): number {
    return this.slots.size;
  }

  /** How many workers were ever started (a worker replaced between calls adds one). */
  get started(): number {
    return this.spawned;
  }

  /** What the workers said they hold, together. */
  get memoryBytes(): number {
    return [...this.slots].reduce((sum, slot) => sum + slot.memoryBytes, 0);
  }

  /** Resolves once every worker asked for is started and warm (for measurements and tests; calls never wait on it). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.onSettled.push(resolve);
      this.checkSettled();
    });
  }

  run(job: SandboxJob, policy: SandboxPolicy, signal?: AbortSignal, host?: HostAuthority): Promise<SandboxResult> {
    if (this.closed) return Promise.resolve(failure('the sandbox is shut down'));
    if (signal?.aborted) return Promise.resolve(cancelled());
    return new Promise((resolve) => {
      this.queue.push({
        id: this.nextId++,
        queuedAt: performance.now(),
        job,
        policy,
        signal,
        host,
        ended: new AbortController(),
        resolve,
      });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.overflowTimer) clearTimeout(this.overflowTimer);
    for (const resolve of this.onSettled.splice(0)) resolve();
    for (const job of this.queue.splice(0)) job.resolve(failure('the sandbox is shut down'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const stackSizeMb = this.stackFor(next);
      const need = needs(next.job);
      let slot = [...this.slots]
        .filter((s) => !s.busy && s.stackSizeMb === stackSizeMb)
        .sort((a, b) => preference(a, need) - preference(b, need))[0];
      if (!slot && !this.hasRoom()) {
        // Full, but an idle worker of another stack size can make room.
        const idle = [...this.slots].find((s) => !s.busy);
        if (idle) void this.retire(idle);
      }
      if (!slot && this.hasRoom()) {
        const waited = performance.now() - next.queuedAt;
        const busy = [...this.slots].filter((s) => s.busy && s.stackSizeMb === stackSizeMb).length;
        if (busy === 0 || this.slots.size < Math.max(this.target, 1) || waited >= OVERFLOW_WAIT_MS)
          slot = this.spawn(stackSizeMb);
        else this.dispatchLater(OVERFLOW_WAIT_MS - waited);
      }
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
    this.fill();
  }

  /** Looks at the queue again once its first call has waited long enough for a worker of its own. */
  private dispatchLater(ms: number): void {
    if (this.overflowTimer) return;
    this.overflowTimer = setTimeout(() => {
      this.overflowTimer = null;
      this.dispatch();
    }, ms);
    this.overflowTimer.unref();
  }

  /**
   * Starts workers up to the target and warms idle ones, one warm-up at a time: the cores (two here) are shared
   * with the calls. A worker loads QuickJS at any time (a call needs it first), but the shell (a long synchronous
   * step) only while no call waits and another loaded worker is there for the calls that come meanwhile, or no
   * call runs at all: calls come first, and the gaps while the model thinks are the warm-ups' time.
   */
  private fill(): void {
    this.checkSettled();
    const slots = [...this.slots].filter((s) => s.stackSizeMb === this.options.stackSizeMb);
    if (this.closed || this.warmBroken || slots.some((s) => s.warming)) return;
    const idle = slots.filter((s) => !s.busy);
    const bare = idle.find((s) => s.loaded === 'none');
    if (bare) return this.warm(bare, false);
    if (this.slots.size < this.target && this.hasRoom()) return this.warm(this.spawn(this.options.stackSizeMb), false);
    const running = this.queue.length > 0 || [...this.slots].some((s) => s.busy);
    const unshelled = idle.find((s) => s.loaded === 'engine');
    const spare = slots.some((s) => s !== unshelled && s.loaded !== 'none');
    if (unshelled && this.queue.length === 0 && (!running || spare)) this.warm(unshelled, true);
  }

  /** Asks an idle worker to warm up; a call given to it meanwhile runs between the warm-up's steps. */
  private warm(slot: Slot, shell: boolean): void {
    if (this.warmBroken || slot.warming || slot.stackSizeMb !== this.options.stackSizeMb) return;
    slot.warming = true;
    slot.ready.then(
      () => {
        if (this.slots.has(slot)) slot.worker.postMessage({ type: 'warm', shell });
      },
      (error: Error) => {
        // The worker failed to start; onExit takes it out of the pool.
        this.options.logger.debug({ err: error }, 'sandbox worker did not start for its warm-up');
      },
    );
  }

  private onWarmed(slot: Slot, shell: boolean, problem: string | undefined): void {
    slot.warming = false;
    if (problem) {
      this.options.logger.warn({ problem }, 'sandbox worker warm-up failed; workers are no longer warmed');
      this.warmBroken = true;
      this.target = 0;
      if (!slot.busy) void this.retire(slot);
    } else {
      slot.loaded = shell ? 'shell' : 'engine';
      // A worker started ahead of need is ended after a while like any idle one.
      if (!slot.busy) this.idle(slot);
    }
    this.fill();
  }

  private checkSettled(): void {
    const unwarmed = [...this.slots].some(
      (slot) => slot.warming || (slot.stackSizeMb === this.options.stackSizeMb && slot.loaded !== 'shell'),
    );
    // Workers the budget has no room for are not waited for.
    const missing = this.slots.size < this.target && this.hasRoom();
    const pending = !this.warmBroken && (missing || unwarmed);
    if (!pending) for (const resolve of this.onSettled.splice(0)) resolve();
  }

  /**
   * Whether one more worker fits the pool's size and memory budget (the first always does). A worker still warming
   * up is counted at what a warm one holds: it will hold that once its shell is loaded.
   */
  private hasRoom(): boolean {
    if (this.slots.size >= this.options.size) return false;
    if (this.slots.size === 0) return true;
    const held = [...this.slots].reduce((sum, s) => sum + Math.max(s.memoryBytes, UNMEASURED_WORKER_BYTES), 0);
    const another = Math.max(held / this.slots.size, UNMEASURED_WORKER_BYTES);
    return held + another <= this.options.memoryBudgetBytes();
  }

  /**
   * What one worker may hold before it is replaced between calls: an equal part of the budget among the workers
   * started (a pool that the budget keeps to one worker gives it the whole budget).
   */
  private share(): number {
    return this.options.memoryBudgetBytes() / Math.max(1, this.slots.size);
  }

  /**
   * A WebAssembly tool's native stack is its worker's, so the worker is sized to the policy's stack limit. QuickJS
   * keeps its own (smaller) limit and needs the full worker stack as headroom.
   */
  private stackFor(job: Job): number {
    return job.job.kind === 'wasi'
      ? Math.max(1, Math.ceil(job.policy.maxStackBytes / (1024 * 1024)))
      : this.options.stackSizeMb;
  }

  private spawn(stackSizeMb: number): Slot {
    const control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT);
    const bridge = new MessageChannel();
    const worker = new Worker(this.options.workerFile, {
      workerData: {
        toolsBundle: this.options.toolsBundle,
        resultBundle: this.options.resultBundle,
        lazyBundles: this.options.lazyBundles,
        wasmCacheDir: this.options.wasmCacheDir,
        wasmPrebuiltDir: this.options.wasmPrebuiltDir,
        wasmInstrumentScript: this.options.wasmInstrumentScript,
        control,
        bridge: bridge.port2,
      },
      transferList: [bridge.port2],
      resourceLimits: { stackSizeMb, maxOldGenerationSizeMb: 512 },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      worker,
      stackSizeMb,
      control: new Int32Array(control),
      bridge: bridge.port1,
      busy: null,
      memoryBytes: UNMEASURED_WORKER_BYTES,
      idleTimer: null,
      loaded: 'none',
      warming: false,
      ready: Promise.resolve(),
    };
    let markReady = () => {};
    slot.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      worker.once('error', reject);
    });
    worker.on('message', (received: unknown) => {
      const message = FromWorkerSchema.safeParse(received);
      if (!message.success) this.onUnreadable(slot, message.error);
      else if (message.data.type === 'ready') markReady();
      else if (message.data.type === 'warmed') {
        slot.memoryBytes = message.data.memoryBytes;
        this.onWarmed(slot, message.data.shell, message.data.problem);
      } else this.onMessage(slot, message.data);
    });
    worker.on('error', (error) => this.onExit(slot, error));
    worker.on('exit', () => this.onExit(slot, null));
    this.slots.add(slot);
    this.spawned += 1;
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.busy = job;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    // QuickJS stops itself at the deadline and reports what it has; a WebAssembly tool can only be stopped from here.
    const grace = job.job.kind === 'wasi' ? 0 : this.options.killGraceMs;
    const kill = setTimeout(
      () => this.abort(slot, job, { ...failure(''), limitHit: 'timeout' }),
      job.policy.timeoutMs + grace,
    );
    kill.unref();
    const watchdog = this.watchScans(slot, job);
    const onAbort = () => this.abort(slot, job, cancelled());
    job.signal?.addEventListener('abort', onAbort, { once: true });
    const resolve = job.resolve;
    job.resolve = (result) => {
      clearTimeout(kill);
      clearInterval(watchdog);
      job.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    slot.ready.then(
      () => {
        if (slot.busy === job) slot.worker.postMessage({ type: 'run', id: job.id, job: job.job, policy: job.policy });
      },
      (error: Error) => this.finish(slot, job, failure(`the sandbox worker did not start: ${error.message}`), true),
    );
  }

  /**
   * Ends the worker when one regex scan runs past SCAN_BUDGET_MS: V8 cannot interrupt a regex, and a pattern that
   * backtracks catastrophically would otherwise hold the worker until the call's deadline.
   */
  private watchScans(slot: Slot, job: Job): NodeJS.Timeout {
    let seen = { seq: -1, since: 0 };
    const timer = setInterval(() => {
      if (Atomics.load(slot.control, CONTROL_SCANNING) !== 1) return;
      const seq = Atomics.load(slot.control, CONTROL_SCAN_SEQ);
      const now = performance.now();
      if (seq !== seen.seq) seen = { seq, since: now };
      else if (now - seen.since > SCAN_BUDGET_MS) this.abort(slot, job, { ...failure(''), limitHit: 'regex' });
    }, SCAN_CHECK_MS);
    timer.unref();
    return timer;
  }

  /** A worker that sends what the pool cannot read is not to be trusted with the call, nor with another one. */
  private onUnreadable(slot: Slot, error: z.ZodError): void {
    this.options.logger.warn({ problem: z.prettifyError(error) }, 'sandbox worker sent an unreadable message');
    const job = slot.busy;
    if (job) this.finish(slot, job, failure('the sandbox worker sent an unreadable message'), true);
    else void this.retire(slot);
  }

  private onMessage(slot: Slot, message: Exclude<FromWorker, { type: 'ready' | 'warmed' }>): void {
    const job = slot.busy;
    if (!job) return;
    if (message.type === 'result' && message.id === job.id) {
      if (message.fault)
        this.options.logger.warn({ fault: message.fault }, 'sandbox engine failed; its worker is replaced');
      slot.memoryBytes = message.memoryBytes;
      // Past its share of the budget, the worker is replaced now, between calls (QuickJS's memory never shrinks).
      this.finish(slot, job, message.result, message.recycle || message.memoryBytes > this.share());
    }
    if (message.type === 'fetch' && message.id === job.id)
      void this.answerBridge(
        slot,
        job,
        (signal) =>
          this.options
            .fetch(message.request, job.policy, signal)
            .catch((error: unknown): FetchReply => ({ ok: false, reason: errorMessage(error), rule: 'network' })),
        { ok: false, reason: 'the response is too large for the sandbox', rule: 'maxBytes' },
      );
    if (message.type === 'exec' && message.id === job.id) {
      const { host } = job;
      const failed = (why: string): ExecReply => ({
        stdout: '',
        stderr: Buffer.from(`${message.request.program}: ${why}\n`).toString('base64'),
        exitCode: 126,
      });
      void this.answerBridge(
        slot,
        job,
        (signal) =>
          host
            ? this.options
                .exec(message.request, { policy: job.policy, host }, signal)
                .catch((error: unknown) => failed(errorMessage(error)))
            : Promise.resolve(failed('programs of this machine are not available to this call')),
        failed('its output is too large for the sandbox'),
      );
    }
  }

  /**
   * Does what the guest asked of the main thread (a fetch under the network policy, a program in the host tier) and
   * hands the reply over through shared memory. The work is stopped when the call is cancelled or ends.
   */
  private async answerBridge(
    slot: Slot,
    job: Job,
    work: (signal: AbortSignal) => Promise<unknown>,
    tooLarge: unknown,
  ): Promise<void> {
    const signal = job.signal ? AbortSignal.any([job.signal, job.ended.signal]) : job.ended.signal;
    const reply = await work(signal);
    if (slot.busy !== job) return;
    const json = JSON.stringify(reply);
    slot.bridge.postMessage(Buffer.byteLength(json) > BRIDGE_MAX_BYTES ? JSON.stringify(tooLarge) : json);
    Atomics.store(slot.control, BRIDGE_STATE, BRIDGE_READY);
    Atomics.notify(slot.control, BRIDGE_STATE);
  }

  private finish(slot: Slot, job: Job, result: SandboxResult, recycle: boolean): void {
    if (slot.busy !== job) return;
    slot.busy = null;
    job.ended.abort();
    // What the call loaded stays loaded.
    if (LEVEL[needs(job.job)] > LEVEL[slot.loaded]) slot.loaded = needs(job.job);
    job.resolve(result);
    if (recycle) void this.retire(slot);
    else this.idle(slot);
    if (!this.used) {
      // After the first call, the model's next turn may ask for several at once, or for the shell.
      this.used = true;
      this.target = Math.max(this.target, Math.min(STANDBY, this.options.size));
    }
    this.dispatch();
  }

  /** Stops a call the hard way: the worker is terminated and replaced. */
  private abort(slot: Slot, job: Job, result: SandboxResult): void {
    if (slot.busy !== job) return;
    this.finish(slot, job, result, true);
  }

  /** An idle worker gives its memory back after a while, except the last one: the next call finds it warm. */
  private idle(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.busy || this.slots.size <= (this.expecting ? 1 : 0)) return;
      this.target = Math.min(this.target, this.slots.size - 1);
      void this.retire(slot).then(() => this.afterShrinking());
      // The one left may still lack the shell: it warms now, as no other is there to take calls meanwhile.
      this.fill();
    }, this.options.idleMs());
    slot.idleTimer.unref();
  }

  /** Once idle workers have ended and nothing runs, what they held can be given back. */
  private afterShrinking(): void {
    const quiet = this.queue.length === 0 && ![...this.slots].some((s) => s.busy || s.warming);
    if (!this.closed && quiet && this.slots.size <= (this.expecting ? 1 : 0)) this.options.onIdle?.();
  }

  private async retire(slot: Slot): Promise<void> {
    this.slots.delete(slot);
    slot.bridge.close();
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    this.checkSettled();
    await slot.worker.terminate().catch((error: unknown) => {
      // The worker is out of the pool already; all that is left to do is say so.
      this.options.logger.warn({ err: error }, 'sandbox worker did not terminate cleanly');
    });
  }

  private onExit(slot: Slot, error: Error | null): void {
    if (!this.slots.has(slot)) return;
    this.slots.delete(slot);
    slot.bridge.close();
    const job = slot.busy;
    slot.busy = null;
    if (job) {
      const memory = (error as NodeJS.ErrnoException | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.options.logger.warn({ err: error }, 'sandbox worker stopped during a call');
      job.resolve({
        ...failure(`the sandbox worker stopped: ${error?.message ?? 'exited'}`),
        ...(memory ? { limitHit: 'memory' as const } : {}),
      });
    }
    this.dispatch();
  }
}

function failure(message: string): SandboxResult {
  return { output: message ? { error: message } : null, stderr: '', exitCode: 1, fuelUsed: 0, durationMs: 0 };
}

function cancelled(): SandboxResult {
  return { output: { error: 'cancelled' }, stderr: '', exitCode: 130, fuelUsed: 0, durationMs: 0 };
}
