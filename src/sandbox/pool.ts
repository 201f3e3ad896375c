import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorMessage } from '../fs/errors';
import type { SandboxPolicy } from './limits';
import {
  BRIDGE_BYTES,
  BRIDGE_LENGTH,
  BRIDGE_READY,
  BRIDGE_STATE,
  type FetchReply,
  type FetchRequest,
  type FromWorker,
  FromWorkerSchema,
  type SandboxJob,
  type SandboxResult,
} from './protocol';

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
  memoryCeilingBytes: number;
  /** Time over the policy's deadline before the worker is terminated (the engine's own deadline comes first). */
  killGraceMs: number;
  /** Idle workers are ended after this long, giving their memory back. */
  idleMs: number;
  logger: Logger;
  /** Performs a guest's fetch under the call's policy; provided by the sandbox service. */
  fetch(request: FetchRequest, policy: SandboxPolicy, signal: AbortSignal): Promise<FetchReply>;
}

interface Job {
  id: number;
  job: SandboxJob;
  policy: SandboxPolicy;
  signal: AbortSignal | undefined;
  resolve(result: SandboxResult): void;
}

interface Slot {
  worker: Worker;
  /** Native stack of this worker: what bounds a WebAssembly tool's recursion, and QuickJS's headroom. */
  stackSizeMb: number;
  ready: Promise<void>;
  control: Int32Array;
  data: Uint8Array;
  busy: Job | null;
  idleTimer: NodeJS.Timeout | null;
}

const encoder = new TextEncoder();

/**
 * Workers that run sandboxed calls, one call per worker at a time. A call that overruns its deadline, or whose run
 * is cancelled, is stopped by terminating its worker (this works even inside a tight WebAssembly loop) and the
 * worker is replaced; so is a worker after an engine failure or once its memory passes the ceiling.
 */
export class SandboxPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  run(job: SandboxJob, policy: SandboxPolicy, signal?: AbortSignal): Promise<SandboxResult> {
    if (this.closed) return Promise.resolve(failure('the sandbox is shut down'));
    if (signal?.aborted) return Promise.resolve(cancelled());
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, policy, signal, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(failure('the sandbox is shut down'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const stackSizeMb = this.stackFor(next);
      let slot = [...this.slots].find((s) => !s.busy && s.stackSizeMb === stackSizeMb);
      if (!slot && this.slots.size >= this.options.size) {
        // Full, but an idle worker of another stack size can make room.
        const idle = [...this.slots].find((s) => !s.busy);
        if (idle) void this.retire(idle);
      }
      if (!slot && this.slots.size < this.options.size) slot = this.spawn(stackSizeMb);
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
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
    const control = new SharedArrayBuffer(8);
    const data = new SharedArrayBuffer(BRIDGE_BYTES);
    const worker = new Worker(this.options.workerFile, {
      workerData: {
        toolsBundle: this.options.toolsBundle,
        resultBundle: this.options.resultBundle,
        lazyBundles: this.options.lazyBundles,
        wasmCacheDir: this.options.wasmCacheDir,
        wasmPrebuiltDir: this.options.wasmPrebuiltDir,
        wasmInstrumentScript: this.options.wasmInstrumentScript,
        control,
        data,
        memoryCeiling: this.options.memoryCeilingBytes,
      },
      resourceLimits: { stackSizeMb, maxOldGenerationSizeMb: 512 },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      worker,
      stackSizeMb,
      control: new Int32Array(control),
      data: new Uint8Array(data),
      busy: null,
      idleTimer: null,
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
      else this.onMessage(slot, message.data);
    });
    worker.on('error', (error) => this.onExit(slot, error));
    worker.on('exit', () => this.onExit(slot, null));
    this.slots.add(slot);
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
    const onAbort = () => this.abort(slot, job, cancelled());
    job.signal?.addEventListener('abort', onAbort, { once: true });
    const resolve = job.resolve;
    job.resolve = (result) => {
      clearTimeout(kill);
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

  /** A worker that sends what the pool cannot read is not to be trusted with the call, nor with another one. */
  private onUnreadable(slot: Slot, error: z.ZodError): void {
    this.options.logger.warn({ problem: z.prettifyError(error) }, 'sandbox worker sent an unreadable message');
    const job = slot.busy;
    if (job) this.finish(slot, job, failure('the sandbox worker sent an unreadable message'), true);
    else void this.retire(slot);
  }

  private onMessage(slot: Slot, message: Exclude<FromWorker, { type: 'ready' }>): void {
    const job = slot.busy;
    if (!job) return;
    if (message.type === 'result' && message.id === job.id) {
      if (message.fault)
        this.options.logger.warn({ fault: message.fault }, 'sandbox engine failed; its worker is replaced');
      this.finish(slot, job, message.result, message.recycle);
    }
    if (message.type === 'fetch' && message.id === job.id) void this.answerFetch(slot, job, message.request);
  }

  /** Runs the guest's fetch here, where the network policy lives, and hands the reply over through shared memory. */
  private async answerFetch(slot: Slot, job: Job, request: FetchRequest): Promise<void> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    job.signal?.addEventListener('abort', onAbort, { once: true });
    let reply: FetchReply;
    try {
      reply = await this.options.fetch(request, job.policy, controller.signal);
    } catch (error) {
      reply = { ok: false, reason: errorMessage(error), rule: 'network' };
    } finally {
      job.signal?.removeEventListener('abort', onAbort);
    }
    if (slot.busy !== job) return;
    let bytes = encoder.encode(JSON.stringify(reply));
    if (bytes.length > slot.data.length)
      bytes = encoder.encode(
        JSON.stringify({ ok: false, reason: 'the response is too large for the sandbox', rule: 'maxBytes' }),
      );
    slot.data.set(bytes);
    Atomics.store(slot.control, BRIDGE_LENGTH, bytes.length);
    Atomics.store(slot.control, BRIDGE_STATE, BRIDGE_READY);
    Atomics.notify(slot.control, BRIDGE_STATE);
  }

  private finish(slot: Slot, job: Job, result: SandboxResult, recycle: boolean): void {
    if (slot.busy !== job) return;
    slot.busy = null;
    job.resolve(result);
    if (recycle) void this.retire(slot);
    else this.idle(slot);
    this.dispatch();
  }

  /** Stops a call the hard way: the worker is terminated and replaced. */
  private abort(slot: Slot, job: Job, result: SandboxResult): void {
    if (slot.busy !== job) return;
    this.finish(slot, job, result, true);
  }

  private idle(slot: Slot): void {
    slot.idleTimer = setTimeout(() => {
      if (!slot.busy) void this.retire(slot);
    }, this.options.idleMs);
    slot.idleTimer.unref();
  }

  private async retire(slot: Slot): Promise<void> {
    this.slots.delete(slot);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await slot.worker.terminate().catch((error: unknown) => {
      // The worker is out of the pool already; all that is left to do is say so.
      this.options.logger.warn({ err: error }, 'sandbox worker did not terminate cleanly');
    });
  }

  private onExit(slot: Slot, error: Error | null): void {
    if (!this.slots.has(slot)) return;
    this.slots.delete(slot);
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
