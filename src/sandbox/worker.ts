import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { type LazyBundle, QuickJsEngine } from './engines/quickjs';
import { BRIDGE_LENGTH, BRIDGE_STATE, BRIDGE_WAITING, type FetchReply, type FetchRequest, type FromWorker, type ToWorker } from './protocol';

/** Given by the pool when it starts this worker. */
interface WorkerData {
  toolsBundle: string;
  lazyBundles: Record<LazyBundle, string>;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Recycle once the engine's WebAssembly memory passes this many bytes (it never shrinks). */
  memoryCeiling: number;
}

const config = workerData as WorkerData;
const port = parentPort!;
const control = new Int32Array(config.control);
const data = new Uint8Array(config.data);
const decoder = new TextDecoder();
let currentJob = 0;

const send = (message: FromWorker) => port.postMessage(message);

/**
 * A fetch from the guest is synchronous: ask the main thread (which holds the network policy) and block on shared
 * memory until it answers. The pool's hard deadline can still terminate this worker while it waits.
 */
function fetchThroughHost(request: FetchRequest): FetchReply {
  Atomics.store(control, BRIDGE_STATE, BRIDGE_WAITING);
  send({ type: 'fetch', id: currentJob, request });
  const outcome = Atomics.wait(control, BRIDGE_STATE, BRIDGE_WAITING, request.timeoutMs + 2000);
  if (outcome === 'timed-out') return { ok: false, reason: `no answer within ${request.timeoutMs} ms`, rule: 'timeout' };
  const length = Atomics.load(control, BRIDGE_LENGTH);
  Atomics.store(control, BRIDGE_STATE, BRIDGE_WAITING);
  return JSON.parse(decoder.decode(data.slice(0, length))) as FetchReply;
}

const engine = await QuickJsEngine.create({
  toolsBundle: readFileSync(config.toolsBundle, 'utf8'),
  lazyBundle: (name) => readFileSync(config.lazyBundles[name], 'utf8'),
  fetch: fetchThroughHost,
});

port.on('message', (message: ToWorker) => {
  currentJob = message.id;
  let recycle = false;
  try {
    const { result, poisoned } = engine.run(message.job, message.policy);
    recycle = poisoned || engine.memoryBytes() > config.memoryCeiling || getHeapStatistics().used_heap_size > config.memoryCeiling;
    send({ type: 'result', id: message.id, result, recycle });
  } catch (error) {
    // A failure of the engine itself (a host stack overflow in the glue): this worker is no longer trusted.
    const limitHit = error instanceof RangeError ? 'stack' : undefined;
    send({
      type: 'result',
      id: message.id,
      result: { output: { error: `sandbox engine failure: ${(error as Error).message}` }, stderr: '', exitCode: 1, fuelUsed: 0, durationMs: 0, ...(limitHit ? { limitHit } : {}) },
      recycle: true,
    });
  }
});

send({ type: 'ready' });
