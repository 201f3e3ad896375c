import { createHash } from 'node:crypto';
import { assertWasiCommand, FUEL_EXPORT } from './command';
import { WASM_PAGE_BYTES, capMemory } from './memory-cap';
import { cachePath, readCached, writeCached } from './module-cache';

/** Part of every cache key: change it whenever the instrumentation changes, so no stale entry is ever used. */
const TRANSFORM_VERSION = 'boxagnts-fuel-1 (binaryen log-execution + inlining)';
/** The function binaryen's `log-execution` pass calls at every function entry and loop header. */
const LOGGER = 'log_execution';
/** Calls to the one-line fuel check are inlined: a call per loop iteration would cost more than the check. */
const INLINE_MAX_SIZE = 40;

/**
 * Adds a fuel meter to a module: an exported mutable i64 global `__fuel`, decremented at every function entry and
 * loop header; when it drops below zero the guest traps (`unreachable`). Counting steps rather than time makes the
 * budget deterministic: the same input uses the same fuel on every run and every machine. Slow (hundreds of ms for
 * a large module): callers cache the result, see `prepareModule`.
 */
export async function instrumentFuel(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  // Node's own check first: binaryen reports a broken module by aborting, with a message for its console.
  if (!WebAssembly.validate(bytes)) throw new Error('not a valid WebAssembly module');
  // Loaded on first use: binaryen is large, and a worker running cached modules never needs it.
  const { default: binaryen } = await import('binaryen');
  const module = binaryen.readBinary(bytes);
  try {
    const F = binaryen.Features;
    // Not Features.All: that emits encodings (compact imports) which Node 20's V8 rejects.
    module.setFeatures(
      F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.Multivalue,
    );
    if (!module.validate())
      throw new Error('the module is invalid or uses WebAssembly features the sandbox does not support');
    // A start function would run at instantiation, before the host can give it any fuel.
    if (module.getStart())
      throw new Error('the module has a start function; a WASI command must export _start instead');
    if (module.getFunction(LOGGER) || module.getGlobal(FUEL_EXPORT) || module.getExport(FUEL_EXPORT)) {
      throw new Error(`the module already defines ${LOGGER} or ${FUEL_EXPORT}; it cannot be instrumented`);
    }
    module.runPasses(['log-execution']);
    // The pass imports the logger; it becomes our internal fuel check instead (calls refer to it by name).
    module.removeFunction(LOGGER);
    module.addGlobal(FUEL_EXPORT, binaryen.i64, true, module.i64.const(0n));
    module.addGlobalExport(FUEL_EXPORT, FUEL_EXPORT);
    const fuel = () => module.global.get(FUEL_EXPORT, binaryen.i64);
    module.addFunction(
      LOGGER,
      binaryen.i32,
      binaryen.none,
      [],
      module.block(null, [
        module.global.set(FUEL_EXPORT, module.i64.sub(fuel(), module.i64.const(1n))),
        module.if(module.i64.lt_s(fuel(), module.i64.const(0n)), module.unreachable()),
      ]),
    );
    // A process-wide binaryen setting: restored so nothing else using binaryen here is affected.
    const previous = binaryen.getAlwaysInlineMaxSize();
    binaryen.setAlwaysInlineMaxSize(INLINE_MAX_SIZE);
    try {
      module.runPasses(['inlining']);
    } finally {
      binaryen.setAlwaysInlineMaxSize(previous);
    }
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

export interface PreparedModule {
  module: WebAssembly.Module;
  /** SHA-256 of the input bytes and the transform version: the cache key. */
  hash: string;
  /** Whether the instrumented module came from a cache or the build (no instrumentation ran). */
  cached: boolean;
}

/** The cache key of a module: its content and the instrumenter's version, so a changed instrumenter never hits. */
export function moduleKey(bytes: Uint8Array): string {
  return createHash('sha256').update(TRANSFORM_VERSION).update('\0').update(bytes).digest('hex');
}

/**
 * Makes a tool's module runnable: fuel-instruments it (slow, so looked up by content hash first in `prebuiltDir`,
 * where the build puts the product's own tools instrumented, then in `cacheDir`, where others are kept), caps its
 * memory at `maxMemoryBytes` (cheap, and policy-dependent, so never cached), compiles it and checks it is a WASI
 * command this host can run. A damaged cache entry is rebuilt. `instrument` replaces the in-process instrumentation,
 * e.g. with one in a child process.
 */
export async function prepareModule(
  bytes: Uint8Array<ArrayBuffer>,
  options: {
    maxMemoryBytes: number;
    cacheDir: string;
    prebuiltDir?: string | undefined;
    instrument?: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;
  },
): Promise<PreparedModule> {
  const hash = moduleKey(bytes);
  let instrumented =
    (options.prebuiltDir ? await readCached(cachePath(options.prebuiltDir, hash)) : null) ??
    (await readCached(cachePath(options.cacheDir, hash)));
  const cached = instrumented !== null;
  instrumented ??= await writeCached(
    cachePath(options.cacheDir, hash),
    await (options.instrument ?? instrumentFuel)(bytes),
  );
  const capped = capMemory(instrumented, Math.floor(options.maxMemoryBytes / WASM_PAGE_BYTES));
  const module = await WebAssembly.compile(capped);
  assertWasiCommand(module);
  return { module, hash, cached };
}
