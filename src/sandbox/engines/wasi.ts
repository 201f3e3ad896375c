import { readFileSync } from 'node:fs';
import { ConsoleStdout, type Fd, File, OpenFile, WASI, wasi as wasiDefs } from '@bjorn3/browser_wasi_shim';
import type { ConfinedFs } from '../../fs/confined-fs';
import { errorMessage } from '../../fs/errors';
import { type SandboxPolicy, confinedFsFor } from '../limits';
import type { SandboxJob, SandboxResult } from '../protocol';
import { FUEL_EXPORT, assertWasiCommand } from '../wasi/command';
import { prepareModule } from '../wasi/fuel';
import { instrumentInChild } from '../wasi/instrument-process';
import { WASM_PAGE_BYTES } from '../wasi/memory-cap';
import { WasiFs } from '../wasi/wasi-fs';

export interface WasiRun {
  /** Prepared by `prepareModule`: fuel-instrumented and memory-capped. */
  module: WebAssembly.Module;
  /** The whole argv: `args[0]` is the tool's name. */
  args: string[];
  env?: Record<string, string>;
  stdin: string;
  /** The guest's `/`; null: no file access at all (nothing is preopened). */
  fs: ConfinedFs | null;
  /** Instrumented steps the guest may take; null: no budget beyond the worker's time limit. */
  fuel: number | null;
  /** Bytes kept of each stream; the rest is dropped and a note says so. */
  stdoutLimit?: number;
  stderrLimit?: number;
}

export interface WasiOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  fuelUsed: number;
  limitHit?: 'fuel' | 'memory' | 'fs' | 'disk';
  limitDetail?: string;
  /** Why the guest stopped abnormally: the WebAssembly trap ("unreachable", "memory access out of bounds", …). */
  trap?: string;
}

const DEFAULT_STDOUT_LIMIT = 1024 * 1024;
const DEFAULT_STDERR_LIMIT = 256 * 1024;
/** A budget that never runs out, for `fuel: null` (the largest i64; the meter still counts). */
const UNMETERED = 2n ** 63n - 1n;
/** The exit status of a process that did not exit itself (a trap, or fuel running out): 128 + SIGABRT. */
const ABNORMAL_EXIT = 134;
const MIB = 1024 * 1024;

/**
 * Runs a WASI preview 1 command to completion, synchronously: it runs inside a sandbox worker, whose termination by
 * the pool is the time limit. Every run gets a fresh instance; the guest sees stdin, stdout, stderr and, when the
 * call has file access, a `/` confined by `ConfinedFs` — nothing else of the host.
 */
export function runWasi(run: WasiRun): WasiOutcome {
  assertWasiCommand(run.module);
  if (run.args.length === 0) throw new Error('args must hold at least the tool name (argv[0])');
  if (run.fuel !== null && !(Number.isSafeInteger(run.fuel) && run.fuel >= 0))
    throw new RangeError(`fuel must be a whole number of steps, not ${run.fuel}`);
  const stdout = new CappedOutput(run.stdoutLimit ?? DEFAULT_STDOUT_LIMIT);
  const stderr = new CappedOutput(run.stderrLimit ?? DEFAULT_STDERR_LIMIT);
  const files = run.fs ? new WasiFs(run.fs) : null;
  const fds: Fd[] = [
    new OpenFile(new File(new TextEncoder().encode(run.stdin), { readonly: true })),
    new ConsoleStdout((bytes) => stdout.write(bytes)),
    new ConsoleStdout((bytes) => stderr.write(bytes)),
    ...(files ? [files.root()] : []),
  ];
  const env = Object.entries(run.env ?? {}).map(([name, value]) => `${name}=${value}`);
  // `debug: false` must be explicit: the shim otherwise logs every path the guest opens to the console.
  const host = new WASI(run.args, env, fds, { debug: false });
  fixArgsSizes(host);
  sleepWithoutSpinning(host);
  const decoder = new TextDecoder();
  host.wasiImport.path_rename = (
    fd: number,
    fromPtr: number,
    fromLength: number,
    toFd: number,
    toPtr: number,
    toLength: number,
  ) => {
    if (!files) return wasiDefs.ERRNO_BADF;
    const bytes = new Uint8Array(host.inst.exports.memory.buffer);
    const from = decoder.decode(bytes.subarray(fromPtr, fromPtr + fromLength));
    const to = decoder.decode(bytes.subarray(toPtr, toPtr + toLength));
    return files.rename(host.fds[fd], from, host.fds[toFd], to);
  };
  const instance = new WebAssembly.Instance(run.module, { wasi_snapshot_preview1: host.wasiImport });
  const fuel = instance.exports[FUEL_EXPORT] as WebAssembly.Global;
  const memory = instance.exports.memory as WebAssembly.Memory;
  const budget = run.fuel === null ? UNMETERED : BigInt(run.fuel);
  fuel.value = budget;
  const initialBytes = memory.buffer.byteLength;

  let exitCode: number;
  let trap: string | undefined;
  try {
    exitCode = host.start({ exports: { memory, _start: instance.exports._start as () => unknown } }) >>> 0;
  } catch (error) {
    exitCode = ABNORMAL_EXIT;
    trap = describeTrap(error);
  }
  // Files the program left open are saved, as they would be when a process exits (or is killed: its writes are in).
  files?.closeAll();

  const left = fuelLeft(fuel);
  const outcome: WasiOutcome = {
    stdout: stdout.text(),
    stderr: stderr.text() + (files?.notes.map((note) => `\n[sandbox] ${note}`).join('') ?? ''),
    exitCode,
    fuelUsed: Number(budget - (left < 0n ? 0n : left)),
  };
  if (left < 0n) return { ...outcome, limitHit: 'fuel', limitDetail: `the fuel budget of ${run.fuel} steps ran out` };
  if (trap !== undefined) outcome.trap = trap;
  const bytes = memory.buffer.byteLength;
  // A guest that failed after growing its memory up to the cap most likely failed for want of memory.
  if (exitCode !== 0 && bytes > initialBytes && atMaximum(memory)) {
    return {
      ...outcome,
      limitHit: 'memory',
      limitDetail: `the memory reached its limit of ${Math.round((bytes / MIB) * 100) / 100} MiB`,
    };
  }
  if (files?.denied) return { ...outcome, limitHit: files.denied.limit, limitDetail: files.denied.detail };
  return outcome;
}

/** Whether the memory cannot grow any more (the cap `prepareModule` set). Probing grows an instance that is done. */
function atMaximum(memory: WebAssembly.Memory): boolean {
  try {
    memory.grow(1);
    return false;
  } catch {
    return true;
  }
}

/** Steps left on the fuel counter that instrumenting adds: an i64 global, so JavaScript reads it as a bigint. */
function fuelLeft(fuel: WebAssembly.Global): bigint {
  const value: unknown = fuel.value;
  if (typeof value !== 'bigint') throw new TypeError(`the fuel counter ${FUEL_EXPORT} is not an i64`);
  return value;
}

function describeTrap(error: unknown): string {
  if (error instanceof WebAssembly.RuntimeError) return error.message;
  // V8 reports a WebAssembly stack overflow as a JavaScript one.
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'stack overflow';
  // A host function failing on the guest's behalf: a pointer outside its memory, or an unsupported call (the shim
  // throws strings for sockets and signals).
  return `host call failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The shim sizes the argv buffer in UTF-16 code units but writes UTF-8, so a non-ASCII argument (a path from the
 * input, in argv mode) would overrun the guest's buffer. Sizes are given in UTF-8 bytes instead.
 */
function fixArgsSizes(host: WASI): void {
  host.wasiImport.args_sizes_get = (argcPointer: number, bufferSizePointer: number) => {
    const view = new DataView(host.inst.exports.memory.buffer);
    const encoder = new TextEncoder();
    view.setUint32(argcPointer, host.args.length, true);
    view.setUint32(
      bufferSizePointer,
      host.args.reduce((n, arg) => n + encoder.encode(arg).length + 1, 0),
      true,
    );
    return 0;
  };
}

const SUBSCRIPTION_BYTES = 48;
const EVENT_BYTES = 32;

/**
 * The shim's `poll_oneoff` spins the CPU until a clock runs out, and takes one subscription only. Here a sleep
 * blocks the worker thread instead (the pool's deadline still terminates it), and any number of subscriptions is
 * taken: file and stdin reads and writes never block, so they are ready at once; otherwise the earliest clock fires.
 */
function sleepWithoutSpinning(host: WASI): void {
  const parked = new Int32Array(new SharedArrayBuffer(4));
  host.wasiImport.poll_oneoff = (inPtr: number, outPtr: number, count: number, eventsPtr: number) => {
    if (count === 0) return wasiDefs.ERRNO_INVAL;
    const view = new DataView(host.inst.exports.memory.buffer);
    const clocks: { userdata: bigint; waitNs: bigint }[] = [];
    const io: { userdata: bigint; type: number }[] = [];
    for (let i = 0; i < count; i++) {
      const at = inPtr + i * SUBSCRIPTION_BYTES;
      const userdata = view.getBigUint64(at, true);
      const type = view.getUint8(at + 8);
      if (type !== wasiDefs.EVENTTYPE_CLOCK) {
        io.push({ userdata, type });
        continue;
      }
      const clock = view.getUint32(at + 16, true);
      const timeout = view.getBigUint64(at + 24, true);
      const absolute = (view.getUint16(at + 40, true) & wasiDefs.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
      const now =
        clock === wasiDefs.CLOCKID_REALTIME
          ? BigInt(Date.now()) * 1_000_000n
          : BigInt(Math.round(performance.now() * 1e6));
      clocks.push({ userdata, waitNs: absolute ? timeout - now : timeout });
    }
    let fired = io;
    if (fired.length === 0) {
      const soonest = clocks.reduce((a, b) => (b.waitNs < a.waitNs ? b : a));
      if (soonest.waitNs > 0n) Atomics.wait(parked, 0, 0, Number(soonest.waitNs) / 1e6);
      fired = [{ userdata: soonest.userdata, type: wasiDefs.EVENTTYPE_CLOCK }];
    }
    fired.forEach((event, i) => {
      const at = outPtr + i * EVENT_BYTES;
      for (let b = 0; b < EVENT_BYTES; b++) view.setUint8(at + b, 0);
      view.setBigUint64(at, event.userdata, true);
      view.setUint8(at + 10, event.type);
    });
    view.setUint32(eventsPtr, fired.length, true);
    return wasiDefs.ERRNO_SUCCESS;
  };
}

/** Keeps the first `limit` bytes of a stream; the rest is counted out and replaced by a note. */
class CappedOutput {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private cut = false;

  constructor(private readonly limit: number) {}

  write(bytes: Uint8Array): void {
    if (this.cut) return;
    const room = this.limit - this.size;
    if (bytes.length > room) {
      this.cut = true;
      bytes = bytes.subarray(0, room);
    }
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.cut ? `${text}\n… output cut at ${this.limit} bytes` : text;
  }
}

/** Compiled modules a worker keeps, by content and memory cap: a warm call skips reading and compiling. */
const COMPILED_KEPT = 16;

type WasiJob = Extract<SandboxJob, { kind: 'wasi' }>;

/**
 * The worker's side of WebAssembly tools: runs one call of a module under the call's policy, compiling it from the
 * cache (or preparing it again, should the cache have lost it) the first time.
 */
export class WasiEngine {
  private readonly compiled = new Map<string, WebAssembly.Module>();

  constructor(private readonly options: { cacheDir: string; prebuiltDir: string; instrumentScript: string }) {}

  async run(job: WasiJob, policy: SandboxPolicy): Promise<{ result: SandboxResult; recycle: boolean }> {
    const started = performance.now();
    const finished = (result: Omit<SandboxResult, 'durationMs'>, recycle: boolean) => ({
      result: { ...result, durationMs: Math.round(performance.now() - started) },
      recycle,
    });
    try {
      const kept = this.compiled.get(`${job.hash}:${this.pages(policy)}`);
      const prepared = kept ? null : await this.prepare(job.source, policy);
      const fs = confinedFsFor(policy);
      const outcome = runWasi({
        module: kept ?? prepared!.module,
        args: job.args,
        stdin: job.stdin,
        fs,
        fuel: policy.fuel,
      });
      // The worker's stack is sized to the policy's limit, so a guest stack overflow is that limit tripping.
      const stack = outcome.trap === 'stack overflow';
      const limitHit = stack ? 'stack' : outcome.limitHit;
      return finished(
        {
          output: { stdout: outcome.stdout, ...(outcome.trap ? { trap: outcome.trap } : {}) },
          stderr: outcome.stderr,
          exitCode: outcome.exitCode,
          fuelUsed: outcome.fuelUsed,
          ...(limitHit ? { limitHit, limitDetail: outcome.limitDetail } : {}),
        },
        stack,
      );
    } catch (error) {
      return finished({ output: { error: errorMessage(error) }, stderr: '', exitCode: 1, fuelUsed: 0 }, true);
    }
  }

  /** Reads, checks and compiles the module under this call's memory cap, instrumenting it first if not cached. */
  private async prepare(source: string, policy: SandboxPolicy) {
    const prepared = await prepareModule(readFileSync(source), {
      maxMemoryBytes: policy.maxMemoryBytes,
      cacheDir: this.options.cacheDir,
      prebuiltDir: this.options.prebuiltDir,
      instrument: (bytes) =>
        instrumentInChild(bytes, { script: this.options.instrumentScript, timeoutMs: policy.timeoutMs }),
    });
    this.keep(`${prepared.hash}:${this.pages(policy)}`, prepared.module);
    return prepared;
  }

  private pages(policy: SandboxPolicy): number {
    return Math.floor(policy.maxMemoryBytes / WASM_PAGE_BYTES);
  }

  private keep(key: string, module: WebAssembly.Module): void {
    this.compiled.delete(key);
    this.compiled.set(key, module);
    if (this.compiled.size > COMPILED_KEPT) this.compiled.delete(this.compiled.keys().next().value!);
  }
}
