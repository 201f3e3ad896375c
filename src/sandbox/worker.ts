import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { errorMessage } from '../fs/errors';
import { type LazyBundle, QuickJsEngine } from './engines/quickjs';
import { WasiEngine } from './engines/wasi';
import {
  BRIDGE_STATE,
  BRIDGE_WAITING,
  type ExecReply,
  ExecReplySchema,
  type ExecRequest,
  type FetchReply,
  FetchReplySchema,
  type FetchRequest,
  type FromWorker,
  type SandboxResult,
  type ToWorker,
  ToWorkerSchema,
} from './protocol';
import { CONTROL_SCANNING, CONTROL_SCAN_SEQ } from './file-scan';

/** Given by the pool when it starts this worker. */
const WorkerDataSchema = z.object({
  toolsBundle: z.string(),
  resultBundle: z.string(),
  lazyBundles: z.object({ html: z.string(), bash: z.string() }) satisfies z.ZodType<Record<LazyBundle, string>>,
  wasmCacheDir: z.string(),
  wasmPrebuiltDir: z.string(),
  wasmInstrumentScript: z.string(),
  control: z.instanceof(SharedArrayBuffer),
  /** Where the pool posts the replies of the synchronous bridge. */
  bridge: z.instanceof(MessagePort),
});
const config = WorkerDataSchema.parse(workerData);
const port = parentPort!;
const control = new Int32Array(config.control);
let currentJob = 0;
/** The deadline of the call in progress: a bridge request waits no longer. */
let currentDeadline = 0;

const send = (message: FromWorker) => port.postMessage(message);

/**
 * A request of the guest to the main thread (a fetch under the network policy, a program in the host tier) is
 * synchronous: send it and block on shared memory until the answer is there. The pool's hard deadline can still
 * terminate this worker while it waits. Undefined when no answer came in `waitMs`.
 */
function throughHost(message: FromWorker, waitMs: number): unknown {
  Atomics.store(control, BRIDGE_STATE, BRIDGE_WAITING);
  send(message);
  if (Atomics.wait(control, BRIDGE_STATE, BRIDGE_WAITING, Math.max(0, waitMs)) === 'timed-out') return undefined;
  Atomics.store(control, BRIDGE_STATE, BRIDGE_WAITING);
  // Posted before the state word was set, so it is on the port now.
  const reply = receiveMessageOnPort(config.bridge)?.message;
  return typeof reply === 'string' ? JSON.parse(reply) : undefined;
}

function fetchThroughHost(request: FetchRequest): FetchReply {
  const answer = throughHost({ type: 'fetch', id: currentJob, request }, request.timeoutMs + 2000);
  if (answer === undefined) return { ok: false, reason: `no answer within ${request.timeoutMs} ms`, rule: 'timeout' };
  // The pool wrote this reply (pool.ts answerBridge); parsed all the same, as everything that crosses the thread.
  const reply = FetchReplySchema.safeParse(answer);
  return reply.success
    ? reply.data
    : { ok: false, reason: `malformed reply from the host: ${reply.error.message}`, rule: 'network' };
}

function execThroughHost(request: ExecRequest): ExecReply {
  const answer = throughHost({ type: 'exec', id: currentJob, request }, currentDeadline - Date.now() + 2000);
  const reply = ExecReplySchema.safeParse(answer);
  if (reply.success) return reply.data;
  const why = answer === undefined ? 'no answer before the deadline' : 'a malformed reply from the host';
  return { stdout: '', stderr: Buffer.from(`${request.program}: ${why}\n`).toString('base64'), exitCode: 126 };
}

// Each engine is created on its first job: a worker that only runs WebAssembly tools never loads QuickJS.
let quickjs: Promise<QuickJsEngine> | null = null;
const wasi = new WasiEngine({
  cacheDir: config.wasmCacheDir,
  prebuiltDir: config.wasmPrebuiltDir,
  instrumentScript: config.wasmInstrumentScript,
});

function quickJs(): Promise<QuickJsEngine> {
  quickjs ??= QuickJsEngine.create({
    toolsBundle: readFileSync(config.toolsBundle, 'utf8'),
    resultBundle: readFileSync(config.resultBundle, 'utf8'),
    lazyBundle: (name) => readFileSync(config.lazyBundles[name], 'utf8'),
    fetch: fetchThroughHost,
    exec: execThroughHost,
    scan: {
      begin: () => {
        Atomics.add(control, CONTROL_SCAN_SEQ, 1);
        Atomics.store(control, CONTROL_SCANNING, 1);
      },
      end: () => Atomics.store(control, CONTROL_SCANNING, 0),
    },
  });
  return quickjs;
}

async function run(
  message: Extract<ToWorker, { type: 'run' }>,
): Promise<{ result: SandboxResult; recycle: boolean; fault?: string }> {
  const { job, policy } = message;
  if (job.kind === 'wasi') return wasi.run(job, policy);
  const engine = await quickJs();
  const { result, poisoned, fault } = engine.run(job, policy);
  return { result, recycle: poisoned, ...(fault ? { fault } : {}) };
}

/**
 * What this worker holds now: its V8 heap and QuickJS's WebAssembly memory (which never shrinks). The pool weighs it
 * against the worker's share of its memory budget.
 */
async function memoryBytes(): Promise<number> {
  const engine = quickjs ? await quickjs : null;
  return getHeapStatistics().total_heap_size + (engine?.memoryBytes() ?? 0);
}

/** Lets a message that arrived meanwhile (a call) be handled before the next step of the warm-up. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Pays first-call costs in idle time (QuickJS and our tools; with `shell`, the shell's too), one synchronous step at
 * a time: a call that arrives meanwhile waits at most for the step in progress, never for the whole warm-up.
 */
async function warm(shell: boolean): Promise<boolean> {
  const engine = await quickJs();
  if (!shell) return true;
  await nextTurn();
  if (engine.loadShell()) await nextTurn();
  return engine.warmShell();
}

port.on('message', (received: unknown) => {
  const parsed = ToWorkerSchema.safeParse(received);
  if (!parsed.success) {
    // Only the pool talks to this worker: a message it cannot read is a bug of ours, and no call is waiting on it.
    // Thrown, it stops this worker; the pool then fails the call in progress and starts another worker.
    throw new Error(`sandbox worker: unreadable message from the pool: ${z.prettifyError(parsed.error)}`);
  }
  const message = parsed.data;
  if (message.type === 'warm') {
    const { shell } = message;
    warm(shell).then(
      async (ok) =>
        send({
          type: 'warmed',
          shell,
          memoryBytes: await memoryBytes(),
          ...(ok ? {} : { problem: 'the warm-up command failed' }),
        }),
      (error: unknown) => send({ type: 'warmed', shell, memoryBytes: 0, problem: errorMessage(error) }),
    );
    return;
  }
  currentJob = message.id;
  currentDeadline = Date.now() + message.policy.timeoutMs;
  run(message).then(
    async ({ result, recycle, fault }) =>
      send({
        type: 'result',
        id: message.id,
        result,
        recycle,
        memoryBytes: await memoryBytes(),
        ...(fault ? { fault } : {}),
      }),
    (error: unknown) => {
      // A failure of the engine itself (a host stack overflow in the glue): this worker is no longer trusted.
      const limitHit = error instanceof RangeError ? 'stack' : undefined;
      send({
        type: 'result',
        id: message.id,
        result: {
          output: { error: `sandbox engine failure: ${errorMessage(error)}` },
          stderr: '',
          exitCode: 1,
          fuelUsed: 0,
          durationMs: 0,
          ...(limitHit ? { limitHit } : {}),
        },
        recycle: true,
        memoryBytes: 0,
      });
    },
  );
});

send({ type: 'ready' });
